import { deflateSync, inflateSync } from 'node:zlib';
import { ByteQueue } from '../buffer/byte-queue.ts';
import { CathodeError, CathodeErrorCode } from '../errors/cathode-error.ts';
import type { FramedBytes } from './frame-payload.ts';
import { MAX_PACKET_PAYLOAD } from './packet-header.ts';

/** Compressed frames carry a 7-byte header: compressed length, compressed sequence id, uncompressed length. */
export const COMPRESSED_HEADER_LENGTH = 7;
/** Below this many bytes compressing costs more than it saves, so the frame is sent as is. */
const MIN_COMPRESS_LENGTH = 50;

export interface CompressedFrame {
  /** The plain packet bytes this frame carried (any slice of the packet stream). */
  bytes: Buffer;
  sequenceId: number;
}

/** Unwraps the compressed protocol (CLIENT_COMPRESS) back into the plain packet byte stream. */
export class CompressedFrameDecoder {
  private readonly queue = new ByteQueue();
  private readonly maxFrameLength: number;

  constructor(maxFrameLength = MAX_PACKET_PAYLOAD) {
    this.maxFrameLength = maxFrameLength;
  }

  push(chunk: Buffer): void {
    this.queue.push(chunk);
  }

  next(): CompressedFrame | undefined {
    if (this.queue.length < COMPRESSED_HEADER_LENGTH) return undefined;
    const compressedLength = this.queue.uintAt(0, 3);
    const sequenceId = this.queue.byteAt(3);
    const uncompressedLength = this.queue.uintAt(4, 3);
    // A frame sent as is (uncompressed length 0) carries compressedLength plain bytes.
    const plainLength = uncompressedLength === 0 ? compressedLength : uncompressedLength;
    if (plainLength > this.maxFrameLength) {
      throw new CathodeError(CathodeErrorCode.PACKET_TOO_LARGE, `compressed frame of ${plainLength} bytes`);
    }
    if (this.queue.length < COMPRESSED_HEADER_LENGTH + compressedLength) return undefined;
    this.queue.advance(COMPRESSED_HEADER_LENGTH);
    const body = this.queue.take(compressedLength);
    if (uncompressedLength === 0) return { bytes: body, sequenceId };
    let bytes: Buffer;
    try {
      bytes = inflateSync(body, { maxOutputLength: uncompressedLength });
    } catch (cause) {
      throw new CathodeError(CathodeErrorCode.UNCOMPRESS_FAILED, 'cannot inflate compressed frame', { cause });
    }
    if (bytes.length !== uncompressedLength) {
      throw new CathodeError(CathodeErrorCode.UNCOMPRESS_FAILED, `frame inflated to ${bytes.length} bytes, header said ${uncompressedLength}`);
    }
    return { bytes, sequenceId };
  }
}

/** Wraps plain packet bytes into compressed frames, starting at `sequenceId`. */
export function compressFrames(packetBytes: Uint8Array, sequenceId: number): FramedBytes {
  const frames: Buffer[] = [];
  let sequence = sequenceId;
  let offset = 0;
  do {
    const piece = packetBytes.subarray(offset, Math.min(offset + MAX_PACKET_PAYLOAD, packetBytes.length));
    offset += piece.length;
    const deflated = piece.length >= MIN_COMPRESS_LENGTH ? deflateSync(piece) : undefined;
    const useDeflated = deflated !== undefined && deflated.length < piece.length;
    const body = useDeflated ? deflated : piece;
    const header = Buffer.allocUnsafe(COMPRESSED_HEADER_LENGTH);
    header.writeUIntLE(body.length, 0, 3);
    header[3] = sequence;
    header.writeUIntLE(useDeflated ? piece.length : 0, 4, 3);
    frames.push(header, Buffer.from(body.buffer, body.byteOffset, body.length));
    sequence = (sequence + 1) & 0xff;
  } while (offset < packetBytes.length);
  return { bytes: Buffer.concat(frames), nextSequenceId: sequence };
}
