import net from 'node:net';
import {
  AUTH_MORE_DATA_HEADER,
  AUTH_SWITCH_REQUEST_HEADER,
  CACHING_SHA2_PASSWORD,
  CapabilityFlags,
  CathodeError,
  CathodeErrorCode,
  Collation,
  PacketFramer,
  type PacketHeadHook,
  PacketRelay,
  ResponseScanner,
  type ResponseShape,
  ResponseShape as Shape,
  type StmtPrepareOk,
  decodeAuthSwitchRequest,
  decodeErrPacket,
  decodeHandshakeV10,
  encodeComChangeUser,
  MariaDbCapabilityFlags,
  encodeComQuery,
  encodeHandshakeResponse41,
  framePayload,
  hasCapability,
} from '@cathode/wire';
import { cachingSha2Continue, initialAuthResponse, loginPlugin } from './backend-auth.ts';
import { type CollectedResponse, errorOf } from './collected-response.ts';
import { RelayInterruptedError } from './relay-interrupted-error.ts';
import type { ResponseSink } from './response-sink.ts';

export interface BackendEndpoint {
  name: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** SHA1(password) instead of the password: a server account logging in as itself (never logged). */
  passwordStage1?: Buffer | undefined;
  /** Path to the server's RSA public key (PEM) for caching_sha2_password full authentication over plain TCP. */
  serverPublicKey?: string | undefined;
}

export interface BackendConnectOptions {
  endpoint: BackendEndpoint;
  /** Capabilities that change what responses look like; they must match the clients this connection serves. */
  flavor: number;
  /** The same for MariaDB's extended capabilities (MARIADB_FLAVOR_CAPABILITIES). */
  mariaDbFlavor?: number;
  connectTimeoutMs: number;
  characterSet?: number;
  maxPacketSize?: number;
}

/** What every backend connection asks for, whatever the clients it serves. */
const BASE_CAPABILITIES =
  CapabilityFlags.CLIENT_MYSQL |
  CapabilityFlags.CLIENT_LONG_FLAG |
  CapabilityFlags.CLIENT_PROTOCOL_41 |
  CapabilityFlags.CLIENT_TRANSACTIONS |
  CapabilityFlags.CLIENT_SECURE_CONNECTION |
  CapabilityFlags.CLIENT_MULTI_STATEMENTS |
  CapabilityFlags.CLIENT_MULTI_RESULTS |
  CapabilityFlags.CLIENT_PS_MULTI_RESULTS |
  CapabilityFlags.CLIENT_PLUGIN_AUTH |
  CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA |
  CapabilityFlags.CLIENT_CONNECT_ATTRS;

/** Client capabilities that change response bytes: backend connections are pooled per combination. */
export const FLAVOR_CAPABILITIES =
  CapabilityFlags.CLIENT_FOUND_ROWS |
  CapabilityFlags.CLIENT_LOCAL_FILES |
  CapabilityFlags.CLIENT_IGNORE_SPACE |
  CapabilityFlags.CLIENT_INTERACTIVE |
  CapabilityFlags.CLIENT_SESSION_TRACK |
  CapabilityFlags.CLIENT_DEPRECATE_EOF;

/**
 * MariaDB extended capabilities that change response bytes: extended metadata (mysql2 decodes JSON
 * by it) and metadata caching (executes skip column definitions the client already has); and bulk
 * operations, without which the server refuses COM_STMT_BULK_EXECUTE. Cathode offers clients these.
 */
export const MARIADB_FLAVOR_CAPABILITIES =
  MariaDbCapabilityFlags.MARIADB_CLIENT_EXTENDED_METADATA | MariaDbCapabilityFlags.MARIADB_CLIENT_CACHE_METADATA | MariaDbCapabilityFlags.MARIADB_CLIENT_STMT_BULK_OPERATIONS;

interface CollectExchange {
  kind: 'collect';
  framer: PacketFramer;
  scanner: ResponseScanner;
  packets: Buffer[];
  resolve: (response: CollectedResponse) => void;
  reject: (error: Error) => void;
}

interface ConsumeExchange {
  kind: 'consume';
  framer: PacketFramer;
  scanner: ResponseScanner;
  consumer: PacketConsumer;
  ended: RelayCallback;
}

interface RelayExchange {
  kind: 'relay';
  relay: PacketRelay;
  sink: ResponseSink;
  ended: RelayCallback;
}

interface HandshakeExchange {
  kind: 'handshake';
  framer: PacketFramer;
  waiter: ((packet: { payload: Buffer; sequenceId: number }) => void) | undefined;
  reject: (error: Error) => void;
}

interface AuthIo {
  nextPacket(): Promise<{ payload: Buffer; sequenceId: number }>;
  send(payload: Buffer, sequenceId: number): void;
}

const CONNECT_ATTRIBUTES = { _client_name: 'cathode', program_name: 'cathode' };

export interface RelayOutcome {
  /** Undefined when the response carried no status flags (see ResponseScanner). */
  statusFlags: number | undefined;
  failed: boolean;
  prepareOk: StmtPrepareOk | undefined;
  lastSequenceId: number;
  /** Of the final OK packet (0 when the response ended otherwise). */
  affectedRows: number | bigint;
  lastInsertId: number | bigint;
  /** Rows of the last result set, -1 if none (see ResponseScanner.rows). */
  rows: number;
  /** Under MARIADB_CLIENT_CACHE_METADATA, a result set carried its column definitions. */
  metadataFollowed: boolean;
}

/**
 * Takes a response packet by packet (whole payloads, in order) for Cathode to use itself: merges,
 * local answers. Returning false from `packet` stops reading from this backend until `resume()`.
 */
export interface PacketConsumer {
  packet(payload: Buffer, sequenceId: number): boolean;
}

/** Cathode's own statements read their responses whole; beyond this the backend connection is dropped. */
export const MAX_COLLECTED_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * How a relay ends: with its outcome, or with the error that cut it off (RelayInterruptedError
 * when the backend was lost). A callback rather than a promise: this is the per-statement path.
 */
export type RelayCallback = (error: Error | undefined, outcome: RelayOutcome | undefined) => void;

let nextLocalId = 1;
/** Bytes per socket read; larger responses take several reads. */
const READ_BUFFER_SIZE = 64 * 1024;

/** One authenticated connection to a MariaDB/MySQL server, speaking the client side on Cathode's codec. */
export class BackendConnection {
  readonly localId = nextLocalId++;
  readonly endpoint: BackendEndpoint;
  readonly flavor: number;
  readonly mariaDbFlavor: number;
  threadId = 0;
  serverVersion = '';
  capabilityFlags = 0;
  /** Capabilities and collation the server announced in its handshake. */
  serverCapabilities = 0;
  serverCharacterSet = 0;
  /** MariaDB's extended capabilities, as announced by the server and as agreed on. */
  serverMariaDbCapabilities = 0;
  mariaDbCapabilities = 0;
  characterSet: number;
  closed = false;
  /** When the pool last got it back (for idle sweeps). */
  lastUsedAt = Date.now();
  /** Called once when the connection closes, for whatever reason. */
  onClose: ((connection: BackendConnection, error: Error | undefined) => void) | undefined;
  private readonly socket: net.Socket;
  /**
   * Where the socket reads into, reused from read to read: relayed bytes are written on from it
   * without a copy. Replaced when the client side still holds bytes of the last read (a write
   * not yet handed to the kernel); everything else that keeps bytes copies them.
   */
  private readBuffer = Buffer.allocUnsafeSlow(READ_BUFFER_SIZE);
  private readBufferHeld = false;
  private exchange: CollectExchange | RelayExchange | ConsumeExchange | HandshakeExchange | undefined;
  private collectedBytes = 0;
  /** The auth plugin and nonce of the last login exchange, which COM_CHANGE_USER answers to first. */
  private authPlugin = '';
  private nonce: Buffer = Buffer.alloc(0);

  private constructor(options: BackendConnectOptions) {
    const { endpoint } = options;
    const socket = net.connect({
      host: endpoint.host,
      port: endpoint.port,
      onread: {
        buffer: () => this.nextReadBuffer(),
        callback: (length, buffer) => {
          this.onData(Buffer.from(buffer.buffer, buffer.byteOffset, length));
          return true;
        },
      },
    });
    this.socket = socket;
    this.endpoint = options.endpoint;
    this.flavor = options.flavor & FLAVOR_CAPABILITIES;
    this.mariaDbFlavor = (options.mariaDbFlavor ?? 0) & MARIADB_FLAVOR_CAPABILITIES;
    this.characterSet = options.characterSet ?? Collation.utf8mb4_general_ci;
    socket.setNoDelay(true);
    socket.on('error', (error) => this.destroy(error));
    socket.on('close', () => this.destroy(new CathodeError(CathodeErrorCode.BACKEND_LOST, `backend ${this.endpoint.name} closed the connection`)));
  }

  get deprecateEof(): boolean {
    return hasCapability(this.capabilityFlags, CapabilityFlags.CLIENT_DEPRECATE_EOF);
  }

  /** MARIADB_CLIENT_CACHE_METADATA: executes may skip column definitions (see ResponseScanner). */
  get cacheMetadata(): boolean {
    return (this.mariaDbCapabilities & MariaDbCapabilityFlags.MARIADB_CLIENT_CACHE_METADATA) !== 0;
  }

  get busy(): boolean {
    return this.exchange !== undefined;
  }

  static async connect(options: BackendConnectOptions): Promise<BackendConnection> {
    const { endpoint } = options;
    const connection = new BackendConnection(options);
    const timer = setTimeout(() => {
      connection.destroy(new CathodeError(CathodeErrorCode.BACKEND_UNAVAILABLE, `backend ${endpoint.name} did not complete the handshake within ${options.connectTimeoutMs} ms`));
    }, options.connectTimeoutMs);
    try {
      await connection.handshake(options);
      return connection;
    } catch (error) {
      connection.destroy(error as Error);
      if (error instanceof CathodeError && error.code !== CathodeErrorCode.BACKEND_LOST) throw error;
      throw new CathodeError(CathodeErrorCode.BACKEND_UNAVAILABLE, `cannot connect to backend ${endpoint.name} at ${endpoint.host}:${endpoint.port}: ${(error as Error).message}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads and writes raw packets for a login exchange (handshake or COM_CHANGE_USER); a close fails the next read. */
  private startAuthExchange(): AuthIo {
    const exchange: HandshakeExchange = { kind: 'handshake', framer: new PacketFramer(), waiter: undefined, reject: () => {} };
    const failure = new Promise<never>((_, reject) => {
      exchange.reject = reject;
    });
    failure.catch(() => {});
    this.exchange = exchange;
    return {
      nextPacket: () =>
        Promise.race([
          failure,
          new Promise<{ payload: Buffer; sequenceId: number }>((resolve) => {
            const ready = exchange.framer.next();
            if (ready) resolve(ready);
            else exchange.waiter = resolve;
          }),
        ]),
      send: (payload: Buffer, sequenceId: number) => this.socket.write(framePayload(payload, sequenceId).bytes),
    };
  }

  private async handshake(options: BackendConnectOptions): Promise<void> {
    const io = this.startAuthExchange();
    const greeting = await io.nextPacket();
    if (greeting.payload[0] === 0xff) throw decodeErrPacket(greeting.payload);
    const handshake = decodeHandshakeV10(greeting.payload);
    this.threadId = handshake.connectionId;
    this.serverVersion = handshake.serverVersion;
    this.serverCapabilities = handshake.capabilityFlags;
    this.serverCharacterSet = handshake.characterSet;
    this.serverMariaDbCapabilities = handshake.mariaDbCapabilities;
    this.mariaDbCapabilities = this.mariaDbFlavor & handshake.mariaDbCapabilities;
    this.capabilityFlags = (BASE_CAPABILITIES | this.flavor) & (handshake.capabilityFlags | CapabilityFlags.CLIENT_MYSQL);
    // MariaDB reads the extended capabilities only from a client that clears CLIENT_MYSQL.
    if (this.mariaDbCapabilities !== 0) this.capabilityFlags &= ~CapabilityFlags.CLIENT_MYSQL;
    this.authPlugin = loginPlugin(handshake.authPluginName, this.endpoint);
    this.nonce = handshake.authPluginData;
    io.send(
      encodeHandshakeResponse41({
        capabilityFlags: this.capabilityFlags,
        maxPacketSize: options.maxPacketSize ?? 0x40000000,
        characterSet: this.characterSet,
        mariaDbCapabilities: this.mariaDbCapabilities,
        username: this.endpoint.user,
        authResponse: initialAuthResponse(this.authPlugin, this.endpoint, this.nonce),
        database: undefined,
        authPluginName: this.authPlugin,
        connectAttributes: CONNECT_ATTRIBUTES,
      }),
      greeting.sequenceId + 1,
    );
    await this.authenticate(io);
    this.exchange = undefined;
  }

  /**
   * The rest of a login after the client's first packet: auth switches and caching_sha2 rounds
   * until OK. The plugin and nonce last agreed on are kept for COM_CHANGE_USER.
   */
  private async authenticate(io: AuthIo): Promise<void> {
    const { password, user } = this.endpoint;
    for (;;) {
      const packet = await io.nextPacket();
      const header = packet.payload[0];
      if (header === 0x00) return;
      if (header === 0xff) {
        const error = decodeErrPacket(packet.payload);
        throw new CathodeError(CathodeErrorCode.BACKEND_AUTH_FAILED, `backend ${this.endpoint.name} refused login as ${user}: ${error.message}`, { cause: error });
      }
      if (header === AUTH_SWITCH_REQUEST_HEADER) {
        const request = decodeAuthSwitchRequest(packet.payload);
        this.authPlugin = request.pluginName;
        this.nonce = request.pluginData;
        io.send(initialAuthResponse(this.authPlugin, this.endpoint, this.nonce), packet.sequenceId + 1);
      } else if (header === AUTH_MORE_DATA_HEADER && this.authPlugin === CACHING_SHA2_PASSWORD) {
        const reply = cachingSha2Continue(packet.payload.subarray(1), password, this.nonce, this.endpoint);
        if (reply) io.send(reply, packet.sequenceId + 1);
      } else {
        throw new CathodeError(CathodeErrorCode.BACKEND_AUTH_FAILED, `unexpected packet 0x${header.toString(16)} during backend auth`);
      }
    }
  }

  /**
   * COM_CHANGE_USER to the same backend user without a schema: no statement unselects a default
   * schema, this does. The session is reset as by COM_RESET_CONNECTION. A failure destroys the connection.
   */
  async changeUserWithoutSchema(): Promise<void> {
    this.assertIdle();
    const io = this.startAuthExchange();
    try {
      const request = {
        username: this.endpoint.user,
        authResponse: initialAuthResponse(this.authPlugin, this.endpoint, this.nonce),
        database: undefined,
        characterSet: this.characterSet,
        authPluginName: this.authPlugin,
        connectAttributes: CONNECT_ATTRIBUTES,
      };
      io.send(encodeComChangeUser(request, this.capabilityFlags), 0);
      await this.authenticate(io);
      this.exchange = undefined;
    } catch (error) {
      this.destroy(error as Error);
      throw error;
    }
  }

  /** Runs one command and reads its whole response (for Cathode's own statements; at most MAX_COLLECTED_RESPONSE_BYTES). */
  run(payload: Buffer, shape: ResponseShape): Promise<CollectedResponse> {
    this.assertIdle();
    this.collectedBytes = 0;
    return new Promise((resolve, reject) => {
      this.exchange = { kind: 'collect', framer: new PacketFramer(), scanner: new ResponseScanner(shape, this.deprecateEof, this.cacheMetadata), packets: [], resolve, reject };
      this.socket.write(framePayload(payload, 0).bytes);
    });
  }

  /** Runs SQL and fails with the server's error, if any. */
  async query(sql: string): Promise<CollectedResponse> {
    const response = await this.run(encodeComQuery(sql), Shape.RESULT);
    if (response.error) throw response.error;
    return response;
  }

  /** Sends a command that has no response (COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA). */
  send(payload: Buffer): void {
    this.assertIdle();
    this.socket.write(framePayload(payload, 0).bytes);
  }

  /**
   * Sends framed command bytes and streams the response to `sink` untouched but for whatever
   * `onHead` patches or inserts; `ended` is called once, from the read that ends the response.
   */
  relay(framedCommand: Buffer, shape: ResponseShape, sink: ResponseSink, onHead: PacketHeadHook | undefined, ended: RelayCallback): void {
    this.assertIdle();
    const relay = new PacketRelay(new ResponseScanner(shape, this.deprecateEof, this.cacheMetadata));
    relay.onHead = onHead;
    this.exchange = { kind: 'relay', relay, sink, ended };
    this.socket.write(framedCommand);
  }

  /**
   * Sends framed command bytes and hands the response to `consumer` packet by packet (copies,
   * safe to keep); `ended` is called once after the last packet, or with the error that cut it off.
   */
  consume(framedCommand: Buffer, shape: ResponseShape, consumer: PacketConsumer, ended: RelayCallback): void {
    this.assertIdle();
    this.exchange = { kind: 'consume', framer: new PacketFramer(), scanner: new ResponseScanner(shape, this.deprecateEof, this.cacheMetadata), consumer, ended };
    this.socket.write(framedCommand);
  }

  /** Reading again after a consumer asked to pause. */
  resume(): void {
    if (!this.closed) this.socket.resume();
  }

  /** Passes the client's LOCAL INFILE packets on; the last one is the empty packet that ends the file. */
  sendLocalInfileData(framedBytes: Buffer, finished: boolean): void {
    const exchange = this.exchange;
    if (exchange?.kind !== 'relay' || !exchange.relay.scanner.awaitingLocalInfile) throw new CathodeError(CathodeErrorCode.INTERNAL, 'no LOCAL INFILE request pending');
    this.socket.write(framedBytes);
    if (finished) exchange.relay.scanner.localInfileSent();
  }

  private assertIdle(): void {
    if (this.closed) throw new CathodeError(CathodeErrorCode.BACKEND_LOST, `backend connection to ${this.endpoint.name} is closed`);
    if (this.exchange) throw new CathodeError(CathodeErrorCode.INTERNAL, 'backend connection is busy');
  }

  private nextReadBuffer(): Buffer {
    if (this.readBufferHeld) {
      this.readBuffer = Buffer.allocUnsafeSlow(READ_BUFFER_SIZE);
      this.readBufferHeld = false;
    }
    return this.readBuffer;
  }

  /** `chunk` lies in the reused read buffer: only the relay path may keep it beyond this call (see readBuffer). */
  private onData(chunk: Buffer): void {
    const exchange = this.exchange;
    if (!exchange) {
      this.destroy(new CathodeError(CathodeErrorCode.PROTOCOL_VIOLATION, `unsolicited ${chunk.length} bytes from backend ${this.endpoint.name}`));
      return;
    }
    if (exchange.kind === 'relay') {
      this.onRelayData(exchange, chunk);
      return;
    }
    if (exchange.kind === 'consume') {
      this.onConsumeData(exchange, chunk);
      return;
    }
    try {
      if (exchange.kind === 'collect') this.onCollectData(exchange, Buffer.from(chunk));
      else {
        exchange.framer.push(Buffer.from(chunk));
        if (exchange.waiter) {
          const packet = exchange.framer.next();
          if (packet) {
            const waiter = exchange.waiter;
            exchange.waiter = undefined;
            waiter(packet);
          }
        }
      }
    } catch (error) {
      this.destroy(error as Error);
    }
  }

  private onRelayData(exchange: RelayExchange, chunk: Buffer): void {
    let outcome: RelayOutcome;
    try {
      const step = exchange.relay.feed(chunk);
      if (step.forward.length > 0) {
        const accepted = exchange.sink.write(step.forward);
        if (exchange.sink.holdsWrittenBytes()) this.readBufferHeld = true;
        if (!accepted) {
          this.socket.pause();
          exchange.sink.onDrain(() => this.socket.resume());
        }
        if (exchange.relay.scanner.awaitingLocalInfile) exchange.sink.onLocalInfileRequest?.();
      }
      if (!step.done) return;
      if (step.leftover && step.leftover.length > 0) throw new CathodeError(CathodeErrorCode.PROTOCOL_VIOLATION, 'backend sent bytes after the end of a response');
      outcome = outcomeOf(exchange.relay.scanner, exchange.relay.lastForwardedSequenceId);
    } catch (error) {
      this.destroy(error as Error);
      return;
    }
    // Outside the try: what the caller does next (often the next command, on this connection) is not this read's failure.
    this.exchange = undefined;
    exchange.ended(undefined, outcome);
  }

  private onConsumeData(exchange: ConsumeExchange, chunk: Buffer): void {
    let outcome: RelayOutcome | undefined;
    try {
      exchange.framer.push(Buffer.from(chunk));
      let wantsMore = true;
      for (let packet = exchange.framer.next(); packet; packet = exchange.framer.next()) {
        const ends = exchange.scanner.packet(packet.payload, packet.payload.length);
        wantsMore = exchange.consumer.packet(packet.payload, packet.lastSequenceId) && wantsMore;
        if (!ends) continue;
        if (exchange.framer.bufferedLength > 0) throw new CathodeError(CathodeErrorCode.PROTOCOL_VIOLATION, 'backend sent bytes after the end of a response');
        outcome = outcomeOf(exchange.scanner, packet.lastSequenceId);
        break;
      }
      if (!wantsMore && !outcome) this.socket.pause();
    } catch (error) {
      this.destroy(error as Error);
      return;
    }
    if (!outcome) return;
    this.exchange = undefined;
    exchange.ended(undefined, outcome);
  }

  private onCollectData(exchange: CollectExchange, chunk: Buffer): void {
    this.collectedBytes += chunk.length;
    if (this.collectedBytes > MAX_COLLECTED_RESPONSE_BYTES) {
      throw new CathodeError(CathodeErrorCode.PROTOCOL_VIOLATION, `backend ${this.endpoint.name} answered one of Cathode's own statements with more than ${MAX_COLLECTED_RESPONSE_BYTES} bytes`);
    }
    exchange.framer.push(chunk);
    for (let packet = exchange.framer.next(); packet; packet = exchange.framer.next()) {
      exchange.packets.push(packet.payload);
      if (!exchange.scanner.packet(packet.payload, packet.payload.length)) continue;
      if (exchange.framer.bufferedLength > 0) throw new CathodeError(CathodeErrorCode.PROTOCOL_VIOLATION, 'backend sent bytes after the end of a response');
      this.exchange = undefined;
      exchange.resolve({ packets: exchange.packets, statusFlags: exchange.scanner.statusFlags, error: errorOf(exchange.packets) });
      return;
    }
  }

  /** Closes politely (COM_QUIT) when idle, otherwise at once. */
  close(): void {
    if (this.closed) return;
    if (!this.exchange) this.socket.end(framePayload(Buffer.of(0x01), 0).bytes);
    this.destroy(undefined);
  }

  destroy(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    const exchange = this.exchange;
    this.exchange = undefined;
    if (error) this.socket.destroy();
    else this.socket.destroySoon();
    if (exchange) {
      const reason = error ?? new CathodeError(CathodeErrorCode.BACKEND_LOST, 'backend connection closed');
      if (exchange.kind === 'relay' || exchange.kind === 'consume') {
        exchange.ended(new RelayInterruptedError(`lost backend ${this.endpoint.name} during a response: ${reason.message}`, { cause: reason }), undefined);
      } else {
        exchange.reject(reason);
      }
    }
    this.onClose?.(this, error);
  }
}

function outcomeOf(scanner: ResponseScanner, lastSequenceId: number): RelayOutcome {
  return {
    statusFlags: scanner.statusFlags,
    failed: scanner.failed,
    prepareOk: scanner.prepareOk,
    lastSequenceId,
    affectedRows: scanner.affectedRows,
    lastInsertId: scanner.lastInsertId,
    rows: scanner.rows,
    metadataFollowed: scanner.metadataFollowed,
  };
}
