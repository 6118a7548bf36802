import net from 'node:net';
import {
  CapabilityFlags,
  type LogicalPacket,
  MYSQL_NATIVE_PASSWORD,
  MariaDbCapabilityFlags,
  PacketFramer,
  ResponseScanner,
  type ResponseShape,
  type SqlError,
  decodeErrPacket,
  decodeHandshakeV10,
  encodeHandshakeResponse41,
  framePayload,
  nativePasswordResponse,
} from '@cathode/wire';

const CLIENT_CAPABILITIES =
  CapabilityFlags.CLIENT_MYSQL |
  CapabilityFlags.CLIENT_LONG_FLAG |
  CapabilityFlags.CLIENT_CONNECT_WITH_DB |
  CapabilityFlags.CLIENT_PROTOCOL_41 |
  CapabilityFlags.CLIENT_TRANSACTIONS |
  CapabilityFlags.CLIENT_SECURE_CONNECTION |
  CapabilityFlags.CLIENT_MULTI_RESULTS |
  CapabilityFlags.CLIENT_PS_MULTI_RESULTS |
  CapabilityFlags.CLIENT_PLUGIN_AUTH;

/**
 * A bare protocol client built on Cathode's codec, for what mysql2 cannot send (unknown commands,
 * statement ids it has closed): one command at a time, responses read whole.
 */
export class RawClient {
  readonly connectionId: number;
  /** MARIADB_CLIENT_CACHE_METADATA was negotiated: column counts carry a metadata-follows byte. */
  readonly cacheMetadata: boolean;
  private readonly socket: net.Socket;
  private readonly framer = new PacketFramer();
  private readonly queued: LogicalPacket[] = [];
  private readonly waiting: Array<(packet: LogicalPacket) => void> = [];
  private closed: Error | undefined;

  private constructor(socket: net.Socket, connectionId: number, cacheMetadata: boolean) {
    this.socket = socket;
    this.connectionId = connectionId;
    this.cacheMetadata = cacheMetadata;
  }

  /** `mariaDbCapabilities`: MariaDB's extended capabilities to ask for (as a MariaDB client, without CLIENT_MYSQL). */
  static async connect(options: { port: number; user: string; password: string; database?: string; mariaDbCapabilities?: number }): Promise<RawClient> {
    const socket = net.connect({ host: '127.0.0.1', port: options.port });
    const framer = new PacketFramer();
    const packets: LogicalPacket[] = [];
    let wake: (() => void) | undefined;
    let failure: Error | undefined;
    const onData = (chunk: Buffer) => {
      framer.push(chunk);
      for (let packet = framer.next(); packet; packet = framer.next()) packets.push(packet);
      wake?.();
    };
    const onEnd = (error?: Error) => {
      failure = error ?? new Error('connection closed during the handshake');
      wake?.();
    };
    socket.on('data', onData);
    socket.on('error', onEnd);
    socket.on('close', () => onEnd());
    const next = async (): Promise<LogicalPacket> => {
      while (packets.length === 0) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      return packets.shift() as LogicalPacket;
    };
    const greeting = decodeHandshakeV10((await next()).payload);
    const mariaDbCapabilities = (options.mariaDbCapabilities ?? 0) & greeting.mariaDbCapabilities;
    const response = encodeHandshakeResponse41({
      capabilityFlags: mariaDbCapabilities === 0 ? CLIENT_CAPABILITIES : CLIENT_CAPABILITIES & ~CapabilityFlags.CLIENT_MYSQL,
      maxPacketSize: 1 << 24,
      characterSet: 45,
      mariaDbCapabilities,
      username: options.user,
      authResponse: nativePasswordResponse(options.password, greeting.authPluginData),
      database: options.database,
      authPluginName: MYSQL_NATIVE_PASSWORD,
      connectAttributes: undefined,
    });
    socket.write(framePayload(response, 1).bytes);
    const answer = await next();
    if (answer.payload[0] !== 0x00) {
      socket.destroy();
      throw answer.payload[0] === 0xff ? decodeErrPacket(answer.payload) : new Error(`unexpected packet 0x${answer.payload[0].toString(16)} after login`);
    }
    socket.off('data', onData);
    socket.removeAllListeners('error');
    socket.removeAllListeners('close');
    const client = new RawClient(socket, greeting.connectionId, (mariaDbCapabilities & MariaDbCapabilityFlags.MARIADB_CLIENT_CACHE_METADATA) !== 0);
    socket.on('data', (chunk: Buffer) => client.onData(chunk));
    socket.on('error', (error) => client.onEnd(error));
    socket.on('close', () => client.onEnd(new Error('connection closed')));
    return client;
  }

  private onData(chunk: Buffer): void {
    this.framer.push(chunk);
    for (let packet = this.framer.next(); packet; packet = this.framer.next()) {
      const waiter = this.waiting.shift();
      if (waiter) waiter(packet);
      else this.queued.push(packet);
    }
  }

  private onEnd(error: Error): void {
    this.closed ??= error;
    for (const waiter of this.waiting.splice(0)) waiter(undefined as never);
  }

  private nextPacket(): Promise<LogicalPacket> {
    const ready = this.queued.shift();
    if (ready) return Promise.resolve(ready);
    if (this.closed) return Promise.reject(this.closed);
    return new Promise((resolve, reject) =>
      this.waiting.push((packet) => (packet ? resolve(packet) : reject(this.closed ?? new Error('connection closed')))),
    );
  }

  /** Sends a command that gets no response (COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA). */
  send(payload: Buffer): void {
    this.socket.write(framePayload(payload, 0).bytes);
  }

  /** Sends one command and reads its response to the end (as `shape` says): the payloads, in order. */
  async command(payload: Buffer, shape: ResponseShape): Promise<Buffer[]> {
    this.send(payload);
    const scanner = new ResponseScanner(shape, false, this.cacheMetadata);
    const payloads: Buffer[] = [];
    for (;;) {
      const packet = await this.nextPacket();
      payloads.push(packet.payload);
      if (scanner.packet(packet.payload, packet.payload.length)) return payloads;
    }
  }

  /** The error a command's response ended with, if it did. */
  static errorOf(payloads: Buffer[]): SqlError | undefined {
    const last = payloads[payloads.length - 1];
    return last?.[0] === 0xff ? decodeErrPacket(last) : undefined;
  }

  /** Resolves once the server has closed the connection. */
  whenClosed(): Promise<void> {
    if (this.socket.destroyed || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  close(): void {
    this.socket.destroy();
  }
}
