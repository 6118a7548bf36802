import net from 'node:net';
import {
  CapabilityFlags,
  CommandByte,
  type HandshakeV10,
  type LogicalPacket,
  PacketFramer,
  ServerStatus,
  decodeErrPacket,
  decodeHandshakeV10,
  decodeStmtPrepareOk,
  decodeTextRow,
  encodeComQuery,
  encodeComStmtPrepare,
  encodeHandshakeResponse41,
  framePayload,
  nativePasswordResponse,
  okPacketStatusFlags,
} from '@cathode/wire';

/**
 * A MySQL client at the packet level, for tests that must send what no real client would:
 * it frames and reads packets, and leaves every decision about their content to the test.
 */

/** What a plain protocol-4.1 client announces (no TLS, no compression, classic EOF packets). */
export const RAW_CLIENT_FLAGS =
  CapabilityFlags.CLIENT_LONG_PASSWORD |
  CapabilityFlags.CLIENT_LONG_FLAG |
  CapabilityFlags.CLIENT_PROTOCOL_41 |
  CapabilityFlags.CLIENT_TRANSACTIONS |
  CapabilityFlags.CLIENT_SECURE_CONNECTION |
  CapabilityFlags.CLIENT_MULTI_RESULTS |
  CapabilityFlags.CLIENT_PS_MULTI_RESULTS |
  CapabilityFlags.CLIENT_PLUGIN_AUTH |
  CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA;

export class RawConnection {
  readonly socket: net.Socket;
  private readonly framer = new PacketFramer();
  private readonly queue: LogicalPacket[] = [];
  private wake: (() => void) | undefined;
  private closedResolve!: () => void;
  /** Resolves once the socket is closed, by either side. */
  readonly whenClosed = new Promise<void>((resolve) => (this.closedResolve = resolve));
  closed = false;
  /** Set when the server's bytes could not be framed. */
  framingError: Error | undefined;
  socketError: Error | undefined;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => (this.socketError = error));
    socket.on('close', () => {
      this.closed = true;
      this.closedResolve();
      this.notify();
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
    });
  }

  private onData(chunk: Buffer): void {
    try {
      this.framer.push(chunk);
      for (let packet = this.framer.next(); packet; packet = this.framer.next()) this.queue.push(packet);
    } catch (error) {
      this.framingError = error as Error;
      this.socket.destroy();
    }
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** The next packet from the server, or undefined once the connection has closed and none is left. */
  async next(): Promise<LogicalPacket | undefined> {
    while (this.queue.length === 0) {
      if (this.closed) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return this.queue.shift();
  }

  /** Every packet the server sends until it closes the connection. */
  async drainUntilClosed(): Promise<LogicalPacket[]> {
    const packets: LogicalPacket[] = [];
    for (let packet = await this.next(); packet; packet = await this.next()) packets.push(packet);
    return packets;
  }

  /** Raw bytes, as they are (a write to a connection the server already closed is ignored). */
  write(bytes: Uint8Array): void {
    if (!this.closed && this.socket.writable) this.socket.write(bytes);
  }

  /** One payload framed as packet(s) starting at `sequenceId`. */
  send(payload: Uint8Array, sequenceId: number): void {
    this.write(framePayload(payload, sequenceId).bytes);
  }

  /** Half-closes our side; the server closes its side in turn. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A raw packet header claiming `length` bytes of payload. */
export function packetHeader(length: number, sequenceId: number): Buffer {
  const header = Buffer.alloc(4);
  header.writeUIntLE(length, 0, 3);
  header[3] = sequenceId;
  return header;
}

export function isErr(packet: LogicalPacket | undefined): boolean {
  return packet !== undefined && packet.payload[0] === 0xff;
}

export function errnoOf(packet: LogicalPacket): number {
  return decodeErrPacket(packet.payload).errno;
}

export function isOk(packet: LogicalPacket | undefined): boolean {
  return packet !== undefined && packet.payload[0] === 0x00;
}

/** EOF packet (classic protocol): 0xfe and shorter than 9 bytes. */
export function isEof(packet: LogicalPacket | undefined): boolean {
  return packet !== undefined && packet.payload[0] === 0xfe && packet.payload.length < 9;
}

export interface LoginOptions {
  user: string;
  password: string;
  database?: string;
  flags?: number;
}

/** The handshake response a well-behaved client would send for `handshake`. */
export function handshakeResponse(handshake: HandshakeV10, options: LoginOptions): Buffer {
  const database = options.database;
  return encodeHandshakeResponse41({
    capabilityFlags: (options.flags ?? RAW_CLIENT_FLAGS) | (database ? CapabilityFlags.CLIENT_CONNECT_WITH_DB : 0),
    maxPacketSize: 0xffffff,
    characterSet: 45, // utf8mb4_general_ci
    mariaDbCapabilities: 0,
    username: options.user,
    authResponse: nativePasswordResponse(options.password, handshake.authPluginData),
    database,
    authPluginName: 'mysql_native_password',
    connectAttributes: undefined,
  });
}

export async function readHandshake(connection: RawConnection): Promise<HandshakeV10> {
  const packet = await connection.next();
  if (!packet) throw new Error('connection closed before the handshake');
  if (isErr(packet)) throw decodeErrPacket(packet.payload);
  return decodeHandshakeV10(packet.payload);
}

/** Connects and logs in (mysql_native_password, answering an auth switch if asked); throws the server's error. */
export async function login(port: number, options: LoginOptions): Promise<{ connection: RawConnection; handshake: HandshakeV10 }> {
  const connection = await RawConnection.connect(port);
  try {
    const handshake = await readHandshake(connection);
    connection.send(handshakeResponse(handshake, options), 1);
    for (;;) {
      const packet = await connection.next();
      if (!packet) throw new Error('connection closed during authentication');
      if (isOk(packet)) return { connection, handshake };
      if (isErr(packet)) throw decodeErrPacket(packet.payload);
      if (packet.payload[0] !== 0xfe) throw new Error(`unexpected packet 0x${packet.payload[0].toString(16)} during authentication`);
      // Auth switch: plugin name, then the new scramble (NUL-terminated).
      const nul = packet.payload.indexOf(0, 1);
      const scramble = packet.payload.subarray(nul + 1, packet.payload.length - (packet.payload.at(-1) === 0 ? 1 : 0));
      connection.send(nativePasswordResponse(options.password, scramble), (packet.sequenceId + 1) & 0xff);
    }
  } catch (error) {
    connection.destroy();
    throw error;
  }
}

export type QueryResult =
  | { kind: 'ok'; statusFlags: number }
  | { kind: 'error'; errno: number; message: string }
  | { kind: 'rows'; rows: Array<Array<string | null>> }
  | { kind: 'closed' };

/** One complete response, rows left undecoded (text or binary protocol alike). */
export type RawResponse =
  | { kind: 'ok'; statusFlags: number }
  | { kind: 'error'; errno: number; message: string }
  | { kind: 'rows'; columnCount: number; rows: Buffer[] }
  | { kind: 'closed' };

/**
 * Reads one complete response to a command (classic EOF packets): OK, ERR, or result set(s).
 * With several result sets (SERVER_MORE_RESULTS_EXISTS) returns the last one. 'closed' if the
 * connection ended first.
 */
export async function readResponse(connection: RawConnection): Promise<RawResponse> {
  for (;;) {
    const first = await connection.next();
    if (!first) return { kind: 'closed' };
    if (isErr(first)) {
      const error = decodeErrPacket(first.payload);
      return { kind: 'error', errno: error.errno, message: error.message };
    }
    if (isOk(first)) {
      const statusFlags = okPacketStatusFlags(first.payload);
      if (statusFlags & ServerStatus.SERVER_MORE_RESULTS_EXISTS) continue;
      return { kind: 'ok', statusFlags };
    }
    const columnCount = first.payload[0];
    if (columnCount === 0 || columnCount >= 0xfb) throw new Error(`not a response: starts with 0x${columnCount.toString(16)}`);
    for (let i = 0; i < columnCount; i++) if (!(await connection.next())) return { kind: 'closed' };
    const afterColumns = await connection.next();
    if (!afterColumns) return { kind: 'closed' };
    if (!isEof(afterColumns)) throw new Error('no EOF after the column definitions');
    const rows: Buffer[] = [];
    for (;;) {
      const packet = await connection.next();
      if (!packet) return { kind: 'closed' };
      if (isErr(packet)) {
        const error = decodeErrPacket(packet.payload);
        return { kind: 'error', errno: error.errno, message: error.message };
      }
      if (isEof(packet)) {
        if (packet.payload.readUInt16LE(3) & ServerStatus.SERVER_MORE_RESULTS_EXISTS) break;
        return { kind: 'rows', columnCount, rows };
      }
      rows.push(packet.payload);
    }
  }
}

/** One complete response to a COM_QUERY, with the text rows decoded. */
export async function readQueryResult(connection: RawConnection): Promise<QueryResult> {
  const response = await readResponse(connection);
  if (response.kind !== 'rows') return response;
  return {
    kind: 'rows',
    rows: response.rows.map((row) => decodeTextRow(row, response.columnCount).map((value) => (value === null ? null : value.toString('utf8')))),
  };
}

export async function query(connection: RawConnection, sql: string): Promise<QueryResult> {
  connection.send(encodeComQuery(sql), 0);
  return readQueryResult(connection);
}

/** COM_STMT_PREPARE; resolves with the statement id and parameter count, reading all definitions. */
export async function prepare(connection: RawConnection, sql: string): Promise<{ statementId: number; parameterCount: number; columnCount: number }> {
  connection.send(encodeComStmtPrepare(sql), 0);
  const first = await connection.next();
  if (!first) throw new Error('connection closed during prepare');
  if (isErr(first)) throw decodeErrPacket(first.payload);
  const ok = decodeStmtPrepareOk(first.payload);
  for (const count of [ok.parameterCount, ok.columnCount]) {
    if (count === 0) continue;
    for (let i = 0; i < count; i++) await connection.next();
    if (!isEof(await connection.next())) throw new Error('no EOF after the definitions');
  }
  return ok;
}

export { CommandByte };
