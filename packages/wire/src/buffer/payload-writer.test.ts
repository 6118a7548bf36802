import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hex } from '../testing/packet-builders.ts';
import { PayloadWriter } from './payload-writer.ts';

describe('PayloadWriter', () => {
  it('writes fixed-length little-endian integers', () => {
    const bytes = new PayloadWriter().u8(0xab).u16(0x1234).u24(0x56789a).u32(0xdeadbeef).u64(0x0102030405060708n).toBuffer();
    assert.deepEqual(bytes, hex('ab 3412 9a7856 efbeadde 0807060504030201'));
  });

  it('writes u32 of values above 2^31 and u64 from a number', () => {
    assert.deepEqual(new PayloadWriter().u32(0xffffffff).u64(2 ** 40).toBuffer(), hex('ffffffff 0000000000010000'));
  });

  const lenencCases: Array<[number | bigint, string]> = [
    [0, '00'],
    [250, 'fa'],
    [251, 'fc fb00'],
    [0xffff, 'fc ffff'],
    [0x10000, 'fd 000001'],
    [0xffffff, 'fd ffffff'],
    [0x1000000, 'fe 0000000100000000'],
    [2 ** 32, 'fe 0000000001000000'],
    [2n ** 53n + 1n, 'fe 0100000000002000'],
    [2n ** 64n - 1n, 'fe ffffffffffffffff'],
  ];
  for (const [value, expected] of lenencCases) {
    it(`writes int<lenenc> ${value} as ${expected}`, () => {
      assert.deepEqual(new PayloadWriter().lengthEncodedInt(value).toBuffer(), hex(expected));
    });
  }

  it('writes the same bytes for a number and the equal bigint', () => {
    assert.deepEqual(new PayloadWriter().lengthEncodedInt(0x10000).toBuffer(), new PayloadWriter().lengthEncodedInt(0x10000n).toBuffer());
  });

  it('writes strings: plain, NUL-terminated (string and bytes), length-encoded', () => {
    const bytes = new PayloadWriter()
      .string('ab')
      .nullTerminatedString('é')
      .nullTerminatedString(Buffer.of(1, 2))
      .lengthEncodedString('xyz')
      .lengthEncodedBytes(Buffer.alloc(0))
      .toBuffer();
    assert.deepEqual(bytes, hex('6162 c3a9 00 0102 00 03 78797a 00'));
  });

  it('writes a 251-byte length-encoded string with a 3-byte length', () => {
    const value = Buffer.alloc(251, 0x61);
    const bytes = new PayloadWriter().lengthEncodedBytes(value).toBuffer();
    assert.equal(bytes.length, 254);
    assert.deepEqual(bytes.subarray(0, 3), hex('fc fb 00'));
    assert.deepEqual(bytes.subarray(3), value);
  });

  it('writes zeros even into reused (unsafe) memory', () => {
    const writer = new PayloadWriter(4).u32(0xffffffff);
    const bytes = writer.zeros(6).u8(1).toBuffer();
    assert.deepEqual(bytes, hex('ffffffff 000000000000 01'));
  });

  it('grows past its initial size, keeping earlier bytes', () => {
    const writer = new PayloadWriter(1);
    for (let i = 0; i < 1000; i++) writer.u8(i & 0xff);
    const bytes = writer.toBuffer();
    assert.equal(bytes.length, 1000);
    for (let i = 0; i < 1000; i++) assert.equal(bytes[i], i & 0xff);
  });

  it('grows from an initial size of 0', () => {
    assert.deepEqual(new PayloadWriter(0).u8(7).bytes(Buffer.alloc(100, 1)).toBuffer(), Buffer.concat([Buffer.of(7), Buffer.alloc(100, 1)]));
  });

  it('grows for one write larger than double the buffer', () => {
    const big = Buffer.alloc(10_000, 0x5a);
    assert.deepEqual(new PayloadWriter(2).u8(1).bytes(big).toBuffer(), Buffer.concat([Buffer.of(1), big]));
  });

  it('returns a copy from toBuffer that later writes do not change', () => {
    const writer = new PayloadWriter(16).u8(1);
    const first = writer.toBuffer();
    writer.u8(2);
    assert.deepEqual(first, hex('01'));
    assert.deepEqual(writer.toBuffer(), hex('01 02'));
  });
});
