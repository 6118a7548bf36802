/** A growable builder for one packet payload. */
export class PayloadWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(initialSize = 128) {
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  private ensure(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    // max(…, 64): doubling a zero-length buffer would never grow it.
    let size = Math.max(this.buffer.length * 2, 64);
    while (size < this.length + bytes) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }

  u8(value: number): this {
    this.ensure(1);
    this.buffer[this.length++] = value;
    return this;
  }

  u16(value: number): this {
    this.ensure(2);
    this.buffer.writeUInt16LE(value, this.length);
    this.length += 2;
    return this;
  }

  u24(value: number): this {
    this.ensure(3);
    this.buffer.writeUIntLE(value, this.length, 3);
    this.length += 3;
    return this;
  }

  u32(value: number): this {
    this.ensure(4);
    this.buffer.writeUInt32LE(value >>> 0, this.length);
    this.length += 4;
    return this;
  }

  u64(value: number | bigint): this {
    this.ensure(8);
    this.buffer.writeBigUInt64LE(BigInt(value), this.length);
    this.length += 8;
    return this;
  }

  lengthEncodedInt(value: number | bigint): this {
    const n = typeof value === 'bigint' ? value : BigInt(value);
    if (n < 0xfbn) return this.u8(Number(n));
    if (n <= 0xffffn) return this.u8(0xfc).u16(Number(n));
    if (n <= 0xffffffn) return this.u8(0xfd).u24(Number(n));
    return this.u8(0xfe).u64(n);
  }

  bytes(value: Uint8Array): this {
    this.ensure(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
    return this;
  }

  zeros(count: number): this {
    this.ensure(count);
    this.buffer.fill(0, this.length, this.length + count);
    this.length += count;
    return this;
  }

  string(value: string): this {
    return this.bytes(Buffer.from(value, 'utf8'));
  }

  nullTerminatedString(value: string | Uint8Array): this {
    this.bytes(typeof value === 'string' ? Buffer.from(value, 'utf8') : value);
    return this.u8(0);
  }

  lengthEncodedBytes(value: Uint8Array): this {
    return this.lengthEncodedInt(value.length).bytes(value);
  }

  lengthEncodedString(value: string): this {
    return this.lengthEncodedBytes(Buffer.from(value, 'utf8'));
  }

  /** The payload built so far (a copy, safe to keep). */
  toBuffer(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.length));
  }
}
