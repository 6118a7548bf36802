import { MAX_PACKET_PAYLOAD, PACKET_HEADER_LENGTH, writePacketHeader } from './packet-header.ts';

export interface FramedBytes {
  bytes: Buffer;
  /** The sequence id the next packet of this exchange carries. */
  nextSequenceId: number;
}

/**
 * Frames one logical payload as packets: payloads of 16 MiB - 1 or more are split, and a payload that
 * is an exact multiple of 16 MiB - 1 gets a trailing empty packet so the peer knows it has ended.
 */
export function framePayload(payload: Uint8Array, sequenceId: number): FramedBytes {
  const packetCount = Math.floor(payload.length / MAX_PACKET_PAYLOAD) + 1;
  const bytes = Buffer.allocUnsafe(payload.length + packetCount * PACKET_HEADER_LENGTH);
  let source = 0;
  let target = 0;
  let sequence = sequenceId;
  for (let i = 0; i < packetCount; i++) {
    const length = Math.min(MAX_PACKET_PAYLOAD, payload.length - source);
    writePacketHeader(bytes, target, length, sequence);
    bytes.set(payload.subarray(source, source + length), target + PACKET_HEADER_LENGTH);
    source += length;
    target += PACKET_HEADER_LENGTH + length;
    sequence = (sequence + 1) & 0xff;
  }
  return { bytes, nextSequenceId: sequence };
}
