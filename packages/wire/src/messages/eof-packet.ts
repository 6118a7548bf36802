import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';

/** Protocol::EOF_Packet (only without CLIENT_DEPRECATE_EOF). */
export interface EofPacket {
  warnings: number;
  statusFlags: number;
}

export const EOF_PACKET_HEADER = 0xfe;

export function encodeEofPacket(message: EofPacket): Buffer {
  return new PayloadWriter(5).u8(EOF_PACKET_HEADER).u16(message.warnings).u16(message.statusFlags).toBuffer();
}

export function decodeEofPacket(payload: Buffer): EofPacket {
  const reader = new PayloadReader(payload);
  reader.skip(1);
  return { warnings: reader.u16(), statusFlags: reader.u16() };
}

/** True for a packet that ends a row or column stream: 0xfe and shorter than a row could be. */
export function isEndOfStream(firstByte: number, payloadLength: number, deprecateEof: boolean): boolean {
  return firstByte === EOF_PACKET_HEADER && (deprecateEof ? payloadLength < 0xffffff : payloadLength < 9);
}
