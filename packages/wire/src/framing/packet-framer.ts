import { ByteQueue } from '../buffer/byte-queue.ts';
import { CathodeError, CathodeErrorCode } from '../errors/cathode-error.ts';
import { MAX_PACKET_PAYLOAD, PACKET_HEADER_LENGTH, writePacketHeader } from './packet-header.ts';

export interface LogicalPacket {
  payload: Buffer;
  /** Sequence id of the first physical packet. */
  sequenceId: number;
  /** Sequence id of the last physical packet (differs for payloads split at 16 MiB). */
  lastSequenceId: number;
  /**
   * The packet as it arrived, header included, when it was one physical packet within one chunk:
   * a proxy forwards it without framing a copy. Shares memory with `payload`.
   */
  framed: Buffer | undefined;
}

/**
 * Turns a byte stream, split at any byte, into logical packets, joining payloads split at 16 MiB.
 * Pull-based (`next()`), so a caller can stop mid-stream (e.g. at an SSL request) and take the rest.
 */
export class PacketFramer {
  private readonly queue = new ByteQueue();
  private readonly maxPayloadLength: number;
  private parts: Buffer[] = [];
  private partsLength = 0;
  private firstSequenceId = 0;

  constructor(maxPayloadLength = Number.POSITIVE_INFINITY) {
    this.maxPayloadLength = maxPayloadLength;
  }

  push(chunk: Buffer): void {
    this.queue.push(chunk);
  }

  /** Bytes buffered but not yet returned as a packet. */
  get bufferedLength(): number {
    return this.queue.length + this.partsLength;
  }

  /** True while a split payload has been started but not finished. */
  get inContinuation(): boolean {
    return this.parts.length > 0;
  }

  next(): LogicalPacket | undefined {
    for (;;) {
      if (this.queue.length < PACKET_HEADER_LENGTH) return undefined;
      const length = this.queue.uintAt(0, 3);
      const sequenceId = this.queue.byteAt(3);
      if (this.partsLength + length > this.maxPayloadLength) {
        throw new CathodeError(CathodeErrorCode.PACKET_TOO_LARGE, `packet of ${this.partsLength + length} bytes exceeds ${this.maxPayloadLength}`);
      }
      if (this.parts.length > 0 && sequenceId !== ((this.firstSequenceId + this.parts.length) & 0xff)) {
        throw new CathodeError(CathodeErrorCode.PACKETS_OUT_OF_ORDER, 'continuation packet out of order');
      }
      if (this.queue.length < PACKET_HEADER_LENGTH + length) return undefined;
      if (length < MAX_PACKET_PAYLOAD && this.parts.length === 0) {
        const framed = this.queue.takeContiguous(PACKET_HEADER_LENGTH + length);
        if (framed) return { payload: framed.subarray(PACKET_HEADER_LENGTH), sequenceId, lastSequenceId: sequenceId, framed };
      }
      this.queue.advance(PACKET_HEADER_LENGTH);
      const payload = this.queue.take(length);
      if (length === MAX_PACKET_PAYLOAD) {
        if (this.parts.length === 0) this.firstSequenceId = sequenceId;
        this.parts.push(payload);
        this.partsLength += length;
        continue;
      }
      if (this.parts.length === 0) return { payload, sequenceId, lastSequenceId: sequenceId, framed: undefined };
      this.parts.push(payload);
      const joined = Buffer.concat(this.parts, this.partsLength + length);
      const first = this.firstSequenceId;
      this.parts = [];
      this.partsLength = 0;
      return { payload: joined, sequenceId: first, lastSequenceId: sequenceId, framed: undefined };
    }
  }

  /** Unconsumed bytes (not part of any returned packet); the framer is empty afterwards. */
  takeRemainder(): Buffer {
    const rest = this.queue.drain();
    if (this.parts.length === 0) return rest;
    // The parts of a started split payload are not part of any returned packet either: give them
    // back as the bytes they arrived as (full-size packets with consecutive sequence ids).
    const pieces: Buffer[] = [];
    this.parts.forEach((part, i) => {
      const header = Buffer.allocUnsafe(PACKET_HEADER_LENGTH);
      writePacketHeader(header, 0, part.length, this.firstSequenceId + i);
      pieces.push(header, part);
    });
    pieces.push(rest);
    this.parts = [];
    this.partsLength = 0;
    return Buffer.concat(pieces);
  }
}
