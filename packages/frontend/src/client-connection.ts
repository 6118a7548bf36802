import type net from 'node:net';
import type tls from 'node:tls';
import {
  CathodeError,
  CathodeErrorCode,
  CompressedFrameDecoder,
  type LogicalPacket,
  type OkPacket,
  PacketFramer,
  type SqlError,
  compressFrames,
  encodeErrPacket,
  encodeOkPacket,
  framePayload,
} from '@cathode/wire';
import { readIntoSlabs } from './slab-reads.ts';
import { startServerTls } from './tls-upgrade.ts';

/**
 * Payload bytes of received packets allowed to wait for their turn before reading stops: enough
 * for pipelining clients, small beside what a flood could queue (one packet may exceed it alone).
 */
export const QUEUED_INPUT_LIMIT = 1024 * 1024;

/** Where an authenticated connection's commands go (see `serveCommands`). */
export interface CommandListener {
  /** A packet that starts a command; the connection stays busy until `commandDone()`. */
  command(packet: LogicalPacket): void;
  /** The client's bytes cannot be framed: nothing more will be read. */
  failed(error: Error): void;
}

/**
 * The transport of one client connection: framing (plain or compressed), TLS, sequence ids and
 * writes with backpressure. It knows nothing of what the packets mean.
 */
export class ClientConnection {
  readonly connectionId: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Capabilities both sides agreed on, known once the handshake response arrives. */
  capabilityFlags = 0;
  /** The sequence id the next packet sent to the client carries. */
  sequenceId = 0;
  /** When the last command was answered (or the connection opened): idle time counts from here. */
  lastActivityAt = Date.now();
  closed = false;
  closeReason = '';
  /** True while a command is being served (for idle sweeps and graceful shutdown). */
  busy = false;
  /** Some of the current command's response went out: a failure can then no longer be answered with ERR. */
  responseStarted = false;
  /** Set by `closeWhenIdle` during a command: why to close once it is answered, and the error to send first. */
  private closeAfterCommand: { reason: string; error: SqlError | undefined } | undefined;
  private socket: net.Socket;
  private readonly framer: PacketFramer;
  private decompressor: CompressedFrameDecoder | undefined;
  private compressedSequenceId = 0;
  private readonly queued: LogicalPacket[] = [];
  /** Payload bytes waiting in `queued`: past QUEUED_INPUT_LIMIT the client is not read from. */
  private queuedBytes = 0;
  /** True while reading is paused because enough input waits (see pump). */
  private inputPaused = false;
  private waiter: { resolve: (packet: LogicalPacket) => void; reject: (error: Error) => void } | undefined;
  private commands: CommandListener | undefined;
  /** True while `dispatch` runs: a command finished inside it lets the loop go on instead of recursing. */
  private dispatching = false;
  private failure: Error | undefined;
  private readonly closeListeners: Array<(reason: string) => void> = [];
  /** Set while TLS starts over bytes already read: raw bytes go to the TLS layer, not the framer. */
  private tlsFeed: ((chunk: Buffer) => void) | undefined;
  /** True when the socket reads into Cathode's slabs (see readIntoSlabs) rather than a stream. */
  readonly readsIntoSlabs: boolean;

  constructor(socket: net.Socket, connectionId: number, maxPacketLength: number) {
    const slabSocket = readIntoSlabs(socket, (chunk) => this.onRawChunk(chunk));
    this.readsIntoSlabs = slabSocket !== undefined;
    this.socket = slabSocket ?? socket;
    this.connectionId = connectionId;
    this.remoteAddress = this.socket.remoteAddress ?? 'unknown';
    this.remotePort = this.socket.remotePort ?? 0;
    this.framer = new PacketFramer(maxPacketLength);
    this.socket.setNoDelay(true);
    if (!slabSocket) socket.on('data', (chunk: Buffer) => this.onRawChunk(chunk));
    this.watch(this.socket);
  }

  get secure(): boolean {
    return 'encrypted' in this.socket;
  }

  /** Payload bytes received and waiting for their command's turn. */
  get waitingInputBytes(): number {
    return this.queuedBytes;
  }

  /** True while the client is not read from because enough of its input waits. */
  get readingPaused(): boolean {
    return this.inputPaused;
  }

  get compressed(): boolean {
    return this.decompressor !== undefined;
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListeners.push(listener);
  }

  private watch(socket: net.Socket): void {
    socket.on('error', (error) => this.close(`socket error: ${error.message}`));
    socket.on('close', () => this.close('client closed the connection'));
    socket.resume();
  }

  private onRawChunk(chunk: Buffer): void {
    if (this.tlsFeed) this.tlsFeed(chunk);
    else this.onData(chunk);
  }

  private onData(chunk: Buffer): void {
    try {
      if (this.decompressor) this.decompressor.push(chunk);
      else this.framer.push(chunk);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    this.pump();
  }

  /**
   * Frames (and decompresses) received bytes into packets only while little input waits: the
   * protocol is request/response, so a client that sends ahead is read no further until its
   * commands are served. Bytes not framed yet stay as received (compressed ones compressed), so a
   * flood of pipelined or highly compressible packets costs its wire size, not a multiple of it.
   */
  private pump(): void {
    try {
      while (this.queuedBytes < QUEUED_INPUT_LIMIT && !this.closed) {
        const packet = this.framer.next();
        if (packet) {
          this.deliver(packet);
          continue;
        }
        const frame = this.decompressor?.next();
        if (!frame) break;
        this.compressedSequenceId = (frame.sequenceId + 1) & 0xff;
        this.framer.push(frame.bytes);
      }
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    const paused = this.queuedBytes >= QUEUED_INPUT_LIMIT;
    if (paused === this.inputPaused || this.failure) return;
    this.inputPaused = paused;
    if (paused) this.socket.pause();
    else this.socket.resume();
  }

  private deliver(packet: LogicalPacket): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter.resolve(this.received(packet));
      return;
    }
    this.queued.push(packet);
    this.queuedBytes += packet.payload.length;
    this.dispatch();
  }

  /** The oldest waiting packet, if any; reading resumes once little is left waiting. */
  private takeQueued(): LogicalPacket | undefined {
    const packet = this.queued.shift();
    if (!packet) return undefined;
    this.queuedBytes -= packet.payload.length;
    if (this.inputPaused && this.queuedBytes < QUEUED_INPUT_LIMIT) queueMicrotask(() => this.pump());
    return packet;
  }

  /** A framing failure: whoever waits for a packet learns of it; the connection cannot continue. */
  private fail(error: Error): void {
    this.failure = error;
    this.socket.pause();
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(error);
    this.dispatch();
  }

  /**
   * From now on, each command packet goes to `listener` as soon as the previous command is done,
   * synchronously from the read that completed it: no promise or queue turn per command.
   */
  serveCommands(listener: CommandListener): void {
    this.commands = listener;
    this.dispatch();
  }

  /** Hands queued packets to the command listener while no command is being served. */
  private dispatch(): void {
    const commands = this.commands;
    if (!commands || this.dispatching) return;
    this.dispatching = true;
    try {
      while (!this.busy && !this.closed) {
        const packet = this.takeQueued();
        if (packet) {
          this.busy = true;
          this.responseStarted = false;
          commands.command(this.received(packet));
        } else {
          if (this.failure) {
            this.commands = undefined;
            commands.failed(this.failure);
          }
          break;
        }
      }
    } finally {
      this.dispatching = false;
    }
  }

  /** The next packet from the client (during a handshake or a command); the following sequence id is remembered for the reply. */
  nextPacket(): Promise<LogicalPacket> {
    const packet = this.takeQueued();
    if (packet) return Promise.resolve(this.received(packet));
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new CathodeError(CathodeErrorCode.BACKEND_LOST, 'client connection closed'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  private received(packet: LogicalPacket): LogicalPacket {
    this.sequenceId = (packet.lastSequenceId + 1) & 0xff;
    return packet;
  }

  /** Frames and sends one payload with the next sequence id. */
  writePacket(payload: Buffer): boolean {
    const framed = framePayload(payload, this.sequenceId);
    this.sequenceId = framed.nextSequenceId;
    return this.writeFramed(framed.bytes);
  }

  writeError(error: SqlError): boolean {
    return this.writePacket(encodeErrPacket(error));
  }

  writeOk(ok: Partial<OkPacket> & { statusFlags: number }): boolean {
    return this.writePacket(
      encodeOkPacket({ affectedRows: 0, lastInsertId: 0, warnings: 0, info: '', ...ok }, this.capabilityFlags),
    );
  }

  /** Sends bytes that already are packets (a relayed response), compressing them if negotiated. */
  writeFramed(bytes: Buffer): boolean {
    if (this.closed) return true;
    this.responseStarted = true;
    if (!this.decompressor) return this.socket.write(bytes);
    const frames = compressFrames(bytes, this.compressedSequenceId);
    this.compressedSequenceId = frames.nextSequenceId;
    return this.socket.write(frames.bytes);
  }

  /** True while bytes given to a write may still be read from (not yet handed to the kernel). */
  holdsWrittenBytes(): boolean {
    return !this.closed && this.socket.writableLength > 0;
  }

  onDrain(resume: () => void): void {
    if (this.closed) resume();
    else this.socket.once('drain', resume);
  }

  /** After an SSL request: the rest of the conversation runs over TLS. */
  async upgradeToTls(secureContext: tls.SecureContext): Promise<void> {
    const raw = this.socket;
    raw.removeAllListeners('close');
    raw.removeAllListeners('error');
    raw.pause();
    const { tlsSocket, feed } = startServerTls(raw, this.framer.takeRemainder(), secureContext);
    this.tlsFeed = feed;
    if (!feed) raw.removeAllListeners('data');
    this.socket = tlsSocket;
    await new Promise<void>((resolve, reject) => {
      tlsSocket.once('secure', resolve);
      tlsSocket.once('error', reject);
      tlsSocket.once('close', () => reject(new CathodeError(CathodeErrorCode.PROTOCOL_VIOLATION, 'connection closed during the TLS handshake')));
    });
    tlsSocket.removeAllListeners('error');
    tlsSocket.removeAllListeners('close');
    tlsSocket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.watch(tlsSocket);
  }

  /** After the OK that ends authentication, both directions use the compressed protocol. */
  enableCompression(maxPacketLength: number): void {
    this.decompressor = new CompressedFrameDecoder(Math.max(maxPacketLength, 0xffffff));
    const rest = this.framer.takeRemainder();
    if (rest.length > 0) this.onData(rest);
  }

  /**
   * Closes now if no command is being served, else right after the current one is answered;
   * `error` (e.g. 1053 at shutdown) is sent first. The first request wins.
   */
  closeWhenIdle(reason: string, error?: SqlError): void {
    if (this.busy) this.closeAfterCommand ??= { reason, error };
    else if (error) this.closeWithError(error, reason);
    else this.close(reason);
  }

  /** The current command has been answered: the next one may be served. */
  commandDone(): void {
    this.busy = false;
    this.lastActivityAt = Date.now();
    const after = this.closeAfterCommand;
    if (after === undefined) this.dispatch();
    else if (after.error) this.closeWithError(after.error, after.reason);
    else this.close(after.reason);
  }

  /** Sends an error (if any) and closes once it is written. */
  closeWithError(error: SqlError, reason: string): void {
    if (this.closed) return;
    this.writeError(error);
    this.close(reason);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    this.socket.end();
    this.socket.destroySoon();
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(new CathodeError(CathodeErrorCode.BACKEND_LOST, `client connection closed: ${reason}`));
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }

  /** Closes at once, without waiting for pending writes (a client that stopped reading). */
  destroy(reason: string): void {
    this.socket.destroy();
    this.close(reason);
  }
}
