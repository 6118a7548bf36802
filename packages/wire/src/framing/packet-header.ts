/** A payload of exactly this many bytes is continued in the next packet. */
export const MAX_PACKET_PAYLOAD = 0xffffff;
export const PACKET_HEADER_LENGTH = 4;

export function writePacketHeader(target: Buffer, offset: number, payloadLength: number, sequenceId: number): void {
  target[offset] = payloadLength & 0xff;
  target[offset + 1] = (payloadLength >>> 8) & 0xff;
  target[offset + 2] = (payloadLength >>> 16) & 0xff;
  target[offset + 3] = sequenceId & 0xff;
}
