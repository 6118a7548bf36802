import { protocolViolation } from '../errors/cathode-error.ts';

/**
 * A cursor over one packet payload. Every read checks bounds and throws a protocol violation on
 * truncated input, so decoders never read garbage from a short packet.
 */
export class PayloadReader {
  readonly buffer: Buffer;
  offset: number;
  readonly end: number;

  constructor(buffer: Buffer, offset = 0, end = buffer.length) {
    this.buffer = buffer;
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(bytes: number, what: string): void {
    if (this.offset + bytes > this.end) throw protocolViolation(`truncated packet: ${what} needs ${bytes} bytes, ${this.remaining} left`);
  }

  u8(): number {
    this.need(1, 'int<1>');
    return this.buffer[this.offset++];
  }

  peekU8(): number {
    this.need(1, 'int<1>');
    return this.buffer[this.offset];
  }

  u16(): number {
    this.need(2, 'int<2>');
    const value = this.buffer.readUInt16LE(this.offset);
    this.offset += 2;
    return value;
  }

  u24(): number {
    this.need(3, 'int<3>');
    const value = this.buffer.readUIntLE(this.offset, 3);
    this.offset += 3;
    return value;
  }

  u32(): number {
    this.need(4, 'int<4>');
    const value = this.buffer.readUInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  u64(): bigint {
    this.need(8, 'int<8>');
    const value = this.buffer.readBigUInt64LE(this.offset);
    this.offset += 8;
    return value;
  }

  /** int<lenenc>; values above 2^53 are returned as bigint. 0xfb (NULL) is not valid here. */
  lengthEncodedInt(): number | bigint {
    const first = this.u8();
    if (first < 0xfb) return first;
    if (first === 0xfc) return this.u16();
    if (first === 0xfd) return this.u24();
    if (first === 0xfe) {
      const value = this.u64();
      return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
    }
    throw protocolViolation(`invalid length-encoded integer prefix 0x${first.toString(16)}`);
  }

  /** A length that must fit in this packet (a lenenc string or count). */
  lengthEncodedLength(): number {
    const value = this.lengthEncodedInt();
    if (typeof value !== 'number' || value > this.end) throw protocolViolation('length-encoded length out of range');
    return value;
  }

  bytes(length: number): Buffer {
    this.need(length, `string<${length}>`);
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  skip(length: number): void {
    this.need(length, `skip ${length}`);
    this.offset += length;
  }

  lengthEncodedBytes(): Buffer {
    return this.bytes(this.lengthEncodedLength());
  }

  lengthEncodedString(): string {
    return this.lengthEncodedBytes().toString('utf8');
  }

  /** string<NUL>; a missing terminator is a protocol violation. */
  nullTerminatedBytes(): Buffer {
    const nul = this.buffer.indexOf(0, this.offset);
    if (nul === -1 || nul >= this.end) throw protocolViolation('truncated packet: string<NUL> without terminator');
    const value = this.buffer.subarray(this.offset, nul);
    this.offset = nul + 1;
    return value;
  }

  nullTerminatedString(): string {
    return this.nullTerminatedBytes().toString('utf8');
  }

  /** string<EOF>: the rest of the payload. */
  restBytes(): Buffer {
    const value = this.buffer.subarray(this.offset, this.end);
    this.offset = this.end;
    return value;
  }

  restString(): string {
    return this.restBytes().toString('utf8');
  }
}
