// Test-only: a scripted MariaDB stand-in, so the session core can be driven without a real server.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import {
  CapabilityFlags,
  type ColumnDefinition,
  CommandByte,
  MariaDbCapabilityFlags,
  MYSQL_NATIVE_PASSWORD,
  PacketFramer,
  PayloadWriter,
  ServerStatus,
  type TextValue,
  commandName,
  decodeHandshakeResponse41,
  encodeColumnDefinition,
  encodeEofPacket,
  encodeErrPacket,
  encodeHandshakeV10,
  encodeOkPacket,
  encodeResultSetEnd,
  encodeTextRow,
  framePayload,
  hasCapability,
} from '@cathode/wire';

/** What a MariaDB 10.11 server offers, CLIENT_MYSQL cleared so that extended capabilities count. */
export const FAKE_SERVER_CAPABILITIES =
  (CapabilityFlags.CLIENT_FOUND_ROWS |
    CapabilityFlags.CLIENT_LONG_FLAG |
    CapabilityFlags.CLIENT_CONNECT_WITH_DB |
    CapabilityFlags.CLIENT_LOCAL_FILES |
    CapabilityFlags.CLIENT_IGNORE_SPACE |
    CapabilityFlags.CLIENT_PROTOCOL_41 |
    CapabilityFlags.CLIENT_INTERACTIVE |
    CapabilityFlags.CLIENT_IGNORE_SIGPIPE |
    CapabilityFlags.CLIENT_TRANSACTIONS |
    CapabilityFlags.CLIENT_SECURE_CONNECTION |
    CapabilityFlags.CLIENT_MULTI_STATEMENTS |
    CapabilityFlags.CLIENT_MULTI_RESULTS |
    CapabilityFlags.CLIENT_PS_MULTI_RESULTS |
    CapabilityFlags.CLIENT_PLUGIN_AUTH |
    CapabilityFlags.CLIENT_CONNECT_ATTRS |
    CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA |
    CapabilityFlags.CLIENT_SESSION_TRACK |
    CapabilityFlags.CLIENT_DEPRECATE_EOF) >>>
  0;

export const FAKE_MARIADB_CAPABILITIES =
  MariaDbCapabilityFlags.MARIADB_CLIENT_STMT_BULK_OPERATIONS | MariaDbCapabilityFlags.MARIADB_CLIENT_EXTENDED_METADATA | MariaDbCapabilityFlags.MARIADB_CLIENT_CACHE_METADATA;

const AUTOCOMMIT = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
const IN_TRANSACTION = ServerStatus.SERVER_STATUS_IN_TRANS | ServerStatus.SERVER_STATUS_AUTOCOMMIT;

/** A column as the fake describes it; everything left out is as `columnPayload` in wire's packet builders defaults it. */
export type FakeColumn = string | (Partial<ColumnDefinition> & { name: string });

/** How the fake answers one command. `thenClose` closes the socket right after the answer is written. */
export type FakeResponse =
  | { kind: 'ok'; affectedRows?: number | bigint; lastInsertId?: number | bigint; statusFlags?: number; warnings?: number; info?: string; thenClose?: boolean }
  | { kind: 'error'; errno: number; sqlState: string; message: string; thenClose?: boolean }
  | { kind: 'result'; columns: readonly FakeColumn[]; rows: ReadonlyArray<readonly TextValue[]>; statusFlags?: number; warnings?: number; thenClose?: boolean }
  /** An EOF packet (an OK with the 0xfe header under CLIENT_DEPRECATE_EOF), as COM_SET_OPTION gets. */
  | { kind: 'eof'; statusFlags?: number }
  /** Close the socket now, without an answer (a backend that died mid-statement). */
  | { kind: 'close' }
  /** No answer at all (COM_STMT_CLOSE and friends). */
  | { kind: 'none' }
  /** These payloads, as they are (what a misbehaving server could send). */
  | { kind: 'raw'; payloads: Buffer[] };

export const ok = (fields: Omit<Extract<FakeResponse, { kind: 'ok' }>, 'kind'> = {}): FakeResponse => ({ kind: 'ok', ...fields });
export const error = (errno: number, sqlState: string, message: string, thenClose = false): FakeResponse => ({ kind: 'error', errno, sqlState, message, thenClose });
export const result = (columns: readonly FakeColumn[], rows: ReadonlyArray<readonly TextValue[]>, fields: { statusFlags?: number; warnings?: number; thenClose?: boolean } = {}): FakeResponse => ({
  kind: 'result',
  columns,
  rows,
  ...fields,
});

/** One command a fake connection received, in arrival order. */
export interface ReceivedCommand {
  /** Index of the connection on its fake backend (0 for the first one accepted). */
  connection: number;
  command: number;
  /** 'COM_QUERY', 'COM_INIT_DB', ... */
  name: string;
  /** The statement of a COM_QUERY, the schema of a COM_INIT_DB; '' otherwise. */
  text: string;
  payload: Buffer;
}

/**
 * Decides the answer to a command. Returning undefined leaves it to the defaults (see
 * `defaultResponse`); returning a promise "hangs" the connection until it settles.
 */
export type FakeScript = (command: ReceivedCommand, connection: FakeConnection) => FakeResponse | Promise<FakeResponse | undefined> | undefined;

/** The server side of one backend connection. */
export class FakeConnection {
  readonly index: number;
  readonly threadId: number;
  readonly commands: ReceivedCommand[] = [];
  capabilityFlags = 0;
  mariaDbCapabilities = 0;
  schema: string | undefined;
  /** Transaction state as the defaults keep it (BEGIN / COMMIT / ROLLBACK). */
  statusFlags: number = AUTOCOMMIT;
  closed = false;
  readonly socket: net.Socket;

  constructor(socket: net.Socket, index: number, threadId: number) {
    this.socket = socket;
    this.index = index;
    this.threadId = threadId;
  }

  get deprecateEof(): boolean {
    return hasCapability(this.capabilityFlags, CapabilityFlags.CLIENT_DEPRECATE_EOF);
  }

  get cacheMetadata(): boolean {
    return hasCapability(this.mariaDbCapabilities, MariaDbCapabilityFlags.MARIADB_CLIENT_CACHE_METADATA);
  }

  get extendedMetadata(): boolean {
    return hasCapability(this.mariaDbCapabilities, MariaDbCapabilityFlags.MARIADB_CLIENT_EXTENDED_METADATA);
  }

  /** Closes from the server's side, as a killed backend thread or a restarted server would. */
  close(): void {
    this.socket.destroy();
  }

  /** The payloads answering one command, for this connection's capabilities. */
  encode(response: FakeResponse): Buffer[] {
    switch (response.kind) {
      case 'raw':
        return response.payloads;
      case 'ok':
        return [
          encodeOkPacket(
            {
              affectedRows: response.affectedRows ?? 0,
              lastInsertId: response.lastInsertId ?? 0,
              statusFlags: response.statusFlags ?? this.statusFlags,
              warnings: response.warnings ?? 0,
              info: response.info ?? '',
            },
            this.capabilityFlags,
          ),
        ];
      case 'error':
        return [encodeErrPacket(response)];
      case 'eof':
        return [encodeResultSetEnd({ warnings: 0, statusFlags: response.statusFlags ?? this.statusFlags }, this.capabilityFlags)];
      case 'result': {
        const statusFlags = response.statusFlags ?? this.statusFlags;
        const count = new PayloadWriter(10).lengthEncodedInt(response.columns.length);
        if (this.cacheMetadata) count.u8(1);
        const payloads = [count.toBuffer(), ...response.columns.map((column) => encodeColumnDefinition(columnDefinition(column), { extendedMetadata: this.extendedMetadata }))];
        if (!this.deprecateEof) payloads.push(encodeEofPacket({ warnings: 0, statusFlags }));
        for (const row of response.rows) payloads.push(encodeTextRow(row));
        payloads.push(encodeResultSetEnd({ warnings: response.warnings ?? 0, statusFlags }, this.capabilityFlags));
        return payloads;
      }
      default:
        return [];
    }
  }
}

/** The defaults of `columnPayload` in wire's packet builders, so expected bytes can be built with those. */
function columnDefinition(column: FakeColumn): ColumnDefinition {
  const given = typeof column === 'string' ? { name: column } : column;
  return {
    schema: 'db',
    table: 't',
    orgTable: given.table ?? 't',
    orgName: given.name,
    characterSet: 45,
    columnLength: 80,
    type: 0xfd,
    flags: 0,
    decimals: 0,
    ...given,
  };
}

/** The answer when the script has none: what MariaDB would say to an ordinary command. */
export function defaultResponse(command: ReceivedCommand, connection: FakeConnection): FakeResponse {
  switch (command.command) {
    case CommandByte.COM_QUERY: {
      const verb = /^\s*(\w+)/.exec(command.text)?.[1]?.toUpperCase();
      if (verb === 'BEGIN' || (verb === 'START' && /^\s*START\s+TRANSACTION/i.test(command.text))) connection.statusFlags = IN_TRANSACTION;
      else if (verb === 'COMMIT' || verb === 'ROLLBACK') connection.statusFlags = AUTOCOMMIT;
      return ok();
    }
    case CommandByte.COM_INIT_DB:
      connection.schema = command.text;
      return ok();
    case CommandByte.COM_RESET_CONNECTION:
      connection.statusFlags = AUTOCOMMIT;
      return ok();
    case CommandByte.COM_PING:
      return ok();
    case CommandByte.COM_SET_OPTION:
      return { kind: 'eof' };
    case CommandByte.COM_STMT_CLOSE:
    case CommandByte.COM_STMT_SEND_LONG_DATA:
      return { kind: 'none' };
    default:
      return error(1047, '08S01', 'Unknown command');
  }
}

/**
 * A `net` server on 127.0.0.1 speaking the server side of the protocol: handshake, any login
 * accepted, then each command answered by the script (or the defaults), one at a time per
 * connection. Records every command and counts connections.
 */
export class FakeBackend {
  readonly name: string;
  readonly connections: FakeConnection[] = [];
  script: FakeScript | undefined;
  private readonly server: net.Server;
  private nextThreadId = 100;
  private readonly watchers = new Set<() => void>();

  private constructor(name: string, script: FakeScript | undefined) {
    this.name = name;
    this.script = script;
    this.server = net.createServer((socket) => this.accept(socket));
  }

  static async start(name: string, script?: FakeScript): Promise<FakeBackend> {
    const backend = new FakeBackend(name, script);
    await new Promise<void>((resolve) => backend.server.listen(0, '127.0.0.1', resolve));
    return backend;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get opened(): number {
    return this.connections.length;
  }

  get openConnections(): number {
    return this.connections.filter((connection) => !connection.closed).length;
  }

  /** Every command received, connection by connection in arrival order. */
  get commands(): ReceivedCommand[] {
    return this.connections.flatMap((connection) => connection.commands);
  }

  /** The statements (COM_QUERY) received, in arrival order across connections. */
  get queries(): string[] {
    return this.log.filter((command) => command.command === CommandByte.COM_QUERY).map((command) => command.text);
  }

  /** Every command in arrival order across connections. */
  readonly log: ReceivedCommand[] = [];

  /** Resolves once `condition` holds, re-checked whenever a command arrives or a connection opens or closes. */
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

  async stop(): Promise<void> {
    for (const connection of this.connections) connection.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private changed(): void {
    for (const watcher of [...this.watchers]) watcher();
  }

  private accept(socket: net.Socket): void {
    const connection = new FakeConnection(socket, this.connections.length, this.nextThreadId++);
    this.connections.push(connection);
    socket.setNoDelay(true);
    const framer = new PacketFramer();
    let loggedIn = false;
    let queue = Promise.resolve();
    socket.on('error', () => {});
    socket.on('close', () => {
      connection.closed = true;
      this.changed();
    });
    socket.on('data', (chunk: Buffer) => {
      framer.push(chunk);
      for (let packet = framer.next(); packet; packet = framer.next()) {
        const { payload, sequenceId } = packet;
        if (!loggedIn) {
          loggedIn = true;
          const login = decodeHandshakeResponse41(Buffer.from(payload));
          connection.capabilityFlags = login.capabilityFlags & (FAKE_SERVER_CAPABILITIES | CapabilityFlags.CLIENT_MYSQL);
          connection.mariaDbCapabilities = login.mariaDbCapabilities & FAKE_MARIADB_CAPABILITIES;
          connection.schema = login.database;
          socket.write(framePayload(encodeOkPacket({ affectedRows: 0, lastInsertId: 0, statusFlags: AUTOCOMMIT, warnings: 0, info: '' }, connection.capabilityFlags), sequenceId + 1).bytes);
          continue;
        }
        const received = this.received(connection, Buffer.from(payload));
        // One command at a time per connection, as a server thread works.
        queue = queue.then(() => this.answer(connection, received));
      }
    });
    socket.write(
      framePayload(
        encodeHandshakeV10({
          serverVersion: '10.11.99-MariaDB-fake',
          connectionId: connection.threadId,
          authPluginData: Buffer.from(randomBytes(20).map((byte) => (byte % 94) + 33)),
          capabilityFlags: FAKE_SERVER_CAPABILITIES,
          characterSet: 45,
          statusFlags: AUTOCOMMIT,
          authPluginName: MYSQL_NATIVE_PASSWORD,
          mariaDbCapabilities: FAKE_MARIADB_CAPABILITIES,
        }),
        0,
      ).bytes,
    );
    this.changed();
  }

  private received(connection: FakeConnection, payload: Buffer): ReceivedCommand {
    const command = payload[0];
    const hasText = command === CommandByte.COM_QUERY || command === CommandByte.COM_INIT_DB;
    const received: ReceivedCommand = { connection: connection.index, command, name: commandName(command), text: hasText ? payload.subarray(1).toString('utf8') : '', payload };
    connection.commands.push(received);
    this.log.push(received);
    this.changed();
    return received;
  }

  private async answer(connection: FakeConnection, command: ReceivedCommand): Promise<void> {
    if (command.command === CommandByte.COM_QUIT) {
      connection.socket.end();
      return;
    }
    const response = (await this.script?.(command, connection)) ?? defaultResponse(command, connection);
    if (connection.closed) return;
    if (response.kind === 'close') {
      connection.close();
      return;
    }
    const payloads = connection.encode(response);
    let sequenceId = 1;
    const frames = payloads.map((payload) => {
      const framed = framePayload(payload, sequenceId);
      sequenceId = framed.nextSequenceId;
      return framed.bytes;
    });
    if (frames.length > 0) connection.socket.write(Buffer.concat(frames));
    if ('thenClose' in response && response.thenClose) connection.socket.end();
  }
}

/** A port on 127.0.0.1 where nothing listens (connections are refused). */
export async function refusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A promise with its resolve function, to release a "hanging" answer when the test says so. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
