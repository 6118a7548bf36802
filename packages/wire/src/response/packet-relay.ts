import { CathodeError, CathodeErrorCode } from '../errors/cathode-error.ts';
import { framePayload } from '../framing/frame-payload.ts';
import { MAX_PACKET_PAYLOAD, PACKET_HEADER_LENGTH } from '../framing/packet-header.ts';
import { PACKET_HEAD_LENGTH, type ResponseScanner } from './response-scanner.ts';

export interface RelayStep {
  /** Bytes to pass on now, in order (may be empty). */
  forward: Buffer;
  /** True when the response has ended with the last forwarded byte. */
  done: boolean;
  /** Bytes after the end of the response, if any arrived in the same chunk. */
  leftover: Buffer | undefined;
}

/**
 * Sees each packet's head (mutable, inside the forwarded bytes) after the scanner did. It may
 * return payloads to send after that packet (which must then lie wholly within its head): they
 * are framed in sequence and the packets after them renumbered. The scanner never sees them.
 */
export type PacketHeadHook = (head: Buffer, length: number) => Buffer[] | void;

/**
 * Relays one response's raw bytes chunk by chunk without copying or decoding payloads: it walks
 * packet headers, shows each packet's head to the scanner, and hands back the same bytes to forward.
 * A packet whose header or head is cut by a chunk boundary is held back until complete, so the
 * scanner always sees whole heads and a patch to a head (`onHead`) is never half-sent.
 */
export class PacketRelay {
  readonly scanner: ResponseScanner;
  /** Added to every packet's sequence id, when the two sides of the relay number differently. */
  sequenceShift = 0;
  onHead: PacketHeadHook | undefined;
  private held: Buffer | undefined;
  private payloadLeft = 0;
  private continued = false;
  private lastSequenceId = -1;

  constructor(scanner: ResponseScanner) {
    this.scanner = scanner;
  }

  /** Sequence id of the last packet header passed on (after shifting). */
  get lastForwardedSequenceId(): number {
    return this.lastSequenceId;
  }

  /** True between packets, when stopping would leave the stream well-formed. */
  get atPacketBoundary(): boolean {
    return this.payloadLeft === 0 && this.held === undefined;
  }

  feed(chunk: Buffer): RelayStep {
    const data = this.held ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = undefined;
    let position = 0;
    while (position < data.length) {
      if (this.payloadLeft > 0) {
        const step = Math.min(this.payloadLeft, data.length - position);
        position += step;
        this.payloadLeft -= step;
        continue;
      }
      if (this.scanner.done && !this.continued) {
        return { forward: data.subarray(0, position), done: true, leftover: data.subarray(position) };
      }
      if (data.length - position < PACKET_HEADER_LENGTH) break;
      const length = data[position] | (data[position + 1] << 8) | (data[position + 2] << 16);
      const isContinuation = this.continued;
      const headLength = isContinuation ? 0 : Math.min(length, PACKET_HEAD_LENGTH);
      if (data.length - position - PACKET_HEADER_LENGTH < headLength) break;
      this.continued = length === MAX_PACKET_PAYLOAD;
      if (this.sequenceShift !== 0) data[position + 3] = (data[position + 3] + this.sequenceShift) & 0xff;
      this.lastSequenceId = data[position + 3];
      position += PACKET_HEADER_LENGTH;
      if (!isContinuation) {
        this.scanner.packetAt(data, position, position + headLength, length);
        const inserted = this.onHead?.(data.subarray(position, position + headLength), length);
        if (inserted && inserted.length > 0) return this.insertAfter(data, position, length, inserted);
      }
      this.payloadLeft = length;
    }
    if (position < data.length) {
      this.held = Buffer.from(data.subarray(position));
      return { forward: data.subarray(0, position), done: false, leftover: undefined };
    }
    const done = this.scanner.done && this.payloadLeft === 0 && !this.continued;
    return { forward: data, done, leftover: undefined };
  }

  /** Forwards `data` to the end of the packet at `position`, then `payloads` as packets, then the rest renumbered. */
  private insertAfter(data: Buffer, position: number, length: number, payloads: Buffer[]): RelayStep {
    if (length > PACKET_HEAD_LENGTH) throw new CathodeError(CathodeErrorCode.INTERNAL, 'packets can only be inserted after a packet that ends within its head');
    const end = position + length;
    const framed: Buffer[] = [data.subarray(0, end)];
    for (const payload of payloads) {
      this.lastSequenceId = (this.lastSequenceId + 1) & 0xff;
      framed.push(framePayload(payload, this.lastSequenceId).bytes);
    }
    this.sequenceShift += payloads.length;
    const rest = this.feed(data.subarray(end));
    framed.push(rest.forward);
    return { forward: Buffer.concat(framed), done: rest.done, leftover: rest.leftover };
  }
}
