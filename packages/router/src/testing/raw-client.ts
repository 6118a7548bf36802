// Test-only: a minimal MySQL client on the project's codec, reading responses as raw packet bytes.
import net from 'node:net';
import {
  CapabilityFlags,
  CommandByte,
  type LogicalPacket,
  MYSQL_NATIVE_PASSWORD,
  MariaDbCapabilityFlags,
  PacketFramer,
  ResponseScanner,
  ResponseShape,
  type SqlError,
  decodeErrPacket,
  decodeHandshakeV10,
  encodeComQuery,
  encodeHandshakeResponse41,
  framePayload,
  hasCapability,
} from '@cathode/wire';

export interface RawLogin {
  /** CLIENT_* flags the client sends (CLIENT_MYSQL set unless it speaks MariaDB's extensions). */
  capabilityFlags: number;
  /** MariaDB extended capabilities asked for (ignored unless CLIENT_MYSQL is clear). */
  mariaDbCapabilities: number;
  username: string;
  schema?: string;
  /** Collation id; utf8mb4_general_ci (45) by default, which backend connections start with. */
  characterSet?: number;
}

/**
 * One client connection: logs in (an account without a password), sends commands and hands back
 * each response as the exact bytes received (headers included), cut where the protocol ends it.
 */
export class RawClient {
  /** Flags both sides agreed on, as the server computes them. */
  capabilityFlags = 0;
  mariaDbCapabilities = 0;
  /** True once the server closed the connection (or it was destroyed). */
  closed = false;
  private readonly socket: net.Socket;
  private readonly framer = new PacketFramer();
  private readonly arrived: LogicalPacket[] = [];
  private readonly watchers = new Set<() => void>();

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.framer.push(Buffer.from(chunk));
      for (let packet = this.framer.next(); packet; packet = this.framer.next()) this.arrived.push(packet);
      this.changed();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.changed();
    });
  }

  static async connect(port: number, login: RawLogin): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    const client = new RawClient(socket);
    const greeting = decodeHandshakeV10((await client.nextPacket()).payload);
    const clientMysql = hasCapability(login.capabilityFlags, CapabilityFlags.CLIENT_MYSQL);
    const mariaDbCapabilities = clientMysql ? 0 : login.mariaDbCapabilities;
    client.capabilityFlags = (login.capabilityFlags & greeting.capabilityFlags) >>> 0;
    client.mariaDbCapabilities = (mariaDbCapabilities & greeting.mariaDbCapabilities) >>> 0;
    const flags = login.capabilityFlags | (login.schema !== undefined ? CapabilityFlags.CLIENT_CONNECT_WITH_DB : 0);
    client.send(
      encodeHandshakeResponse41({
        capabilityFlags: flags,
        maxPacketSize: 0x1000000,
        characterSet: login.characterSet ?? 45,
        mariaDbCapabilities,
        username: login.username,
        authResponse: Buffer.alloc(0),
        database: login.schema,
        authPluginName: MYSQL_NATIVE_PASSWORD,
        connectAttributes: undefined,
      }),
      1,
    );
    const answer = await client.nextPacket();
    if (answer.payload[0] !== 0x00) {
      socket.destroy();
      throw answer.payload[0] === 0xff ? decodeErrPacket(answer.payload) : new Error(`unexpected login answer 0x${answer.payload[0].toString(16)}`);
    }
    return client;
  }

  get deprecateEof(): boolean {
    return hasCapability(this.capabilityFlags, CapabilityFlags.CLIENT_DEPRECATE_EOF);
  }

  get cacheMetadata(): boolean {
    return hasCapability(this.mariaDbCapabilities, MariaDbCapabilityFlags.MARIADB_CLIENT_CACHE_METADATA);
  }

  /** Packets received and not read yet. */
  get pendingPackets(): number {
    return this.arrived.length;
  }

  send(payload: Buffer, sequenceId = 0): void {
    this.socket.write(framePayload(payload, sequenceId).bytes);
  }

  /** Sends a statement and returns its whole response, as received. */
  async query(sql: string): Promise<Buffer> {
    this.send(encodeComQuery(sql));
    return this.response();
  }

  /** Sends a command that answers with one packet (COM_PING, COM_INIT_DB, ...) and returns it. */
  async command(command: number, body: Buffer = Buffer.alloc(0)): Promise<Buffer> {
    this.send(Buffer.concat([Buffer.of(command), body]));
    return this.response(command === CommandByte.COM_QUERY ? ResponseShape.RESULT : ResponseShape.OK);
  }

  /** The next response's bytes: packets until the protocol says it has ended. */
  async response(shape: ResponseShape = ResponseShape.RESULT): Promise<Buffer> {
    const scanner = new ResponseScanner(shape, this.deprecateEof, this.cacheMetadata);
    const parts: Buffer[] = [];
    for (;;) {
      const packet = await this.nextPacket();
      parts.push(packet.framed ? Buffer.from(packet.framed) : framePayload(packet.payload, packet.sequenceId).bytes);
      if (scanner.packet(packet.payload, packet.payload.length)) return Buffer.concat(parts);
    }
  }

  /** Resolves once `condition` holds, re-checked whenever bytes arrive or the connection closes. */
  when(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) return;
        this.watchers.delete(check);
        resolve();
      };
      this.watchers.add(check);
    });
  }

  /** Resolves once the server has closed the connection; fails if it sends anything more first. */
  async closedByServer(): Promise<void> {
    await this.when(() => this.closed || this.arrived.length > 0);
    if (this.arrived.length > 0) throw new Error(`expected the connection to close, got ${this.arrived.length} more packet(s)`);
  }

  destroy(): void {
    this.socket.destroy();
  }

  async nextPacket(): Promise<LogicalPacket> {
    await this.when(() => this.arrived.length > 0 || this.closed);
    const packet = this.arrived.shift();
    if (!packet) throw new Error('connection closed by the server');
    return packet;
  }

  private changed(): void {
    for (const watcher of [...this.watchers]) watcher();
  }
}

/** The error an ERR packet response carries (throws if the response is something else). */
export function errorOf(response: Buffer): SqlError {
  if (response[4] !== 0xff) throw new Error(`expected an ERR packet, got 0x${response[4]?.toString(16)}`);
  return decodeErrPacket(response.subarray(4, 4 + response.readUIntLE(0, 3)));
}
