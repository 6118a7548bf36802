import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';
import { CapabilityFlags, hasCapability } from '../constants/capability-flags.ts';
import { encodeOkPacket } from './ok-packet.ts';

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

/**
 * The packet that ends a row stream for a client: an EOF, or with CLIENT_DEPRECATE_EOF an OK with
 * the 0xfe header (no affected rows, no insert id, no info), as MariaDB sends it.
 */
export function encodeResultSetEnd(message: EofPacket, capabilityFlags: number): Buffer {
  if (!hasCapability(capabilityFlags, CapabilityFlags.CLIENT_DEPRECATE_EOF)) return encodeEofPacket(message);
  return encodeOkPacket({ header: EOF_PACKET_HEADER, affectedRows: 0, lastInsertId: 0, statusFlags: message.statusFlags, warnings: message.warnings, info: '' }, capabilityFlags);
}
