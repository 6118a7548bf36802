import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';
import { SqlError } from '../errors/sql-error.ts';

/** Protocol::ERR_Packet (protocol 4.1: with '#' and a 5-character SQLSTATE). */
export const ERR_PACKET_HEADER = 0xff;

export function encodeErrPacket(error: { errno: number; sqlState: string; message: string }): Buffer {
  return new PayloadWriter(64)
    .u8(ERR_PACKET_HEADER)
    .u16(error.errno)
    .string('#')
    .string(error.sqlState.padEnd(5, '0').slice(0, 5))
    .string(error.message)
    .toBuffer();
}

export function decodeErrPacket(payload: Buffer): SqlError {
  const reader = new PayloadReader(payload);
  reader.skip(1);
  const errno = reader.u16();
  let sqlState = 'HY000';
  // A '#' marker precedes the SQLSTATE; errors sent before the handshake completes may lack it.
  if (reader.remaining >= 6 && reader.peekU8() === 0x23) {
    reader.skip(1);
    sqlState = reader.bytes(5).toString('latin1');
  }
  return new SqlError(errno, sqlState, reader.restString());
}
