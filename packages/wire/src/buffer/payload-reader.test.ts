import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROTOCOL_VIOLATION, assertCathodeError, hex } from '../testing/packet-builders.ts';
import { PayloadReader } from './payload-reader.ts';
import { PayloadWriter } from './payload-writer.ts';

describe('PayloadReader', () => {
  it('reads fixed-length little-endian integers and tracks offset/remaining', () => {
    const reader = new PayloadReader(hex('ab 3412 9a7856 efbeadde 0807060504030201 ff'));
    assert.equal(reader.remaining, 19);
    assert.equal(reader.u8(), 0xab);
    assert.equal(reader.u16(), 0x1234);
    assert.equal(reader.u24(), 0x56789a);
    assert.equal(reader.u32(), 0xdeadbeef);
    assert.equal(reader.u64(), 0x0102030405060708n);
    assert.equal(reader.offset, 18);
    assert.equal(reader.peekU8(), 0xff);
    assert.equal(reader.offset, 18);
    assert.equal(reader.remaining, 1);
  });

  const lenencCases: Array<[string, number | bigint]> = [
    ['00', 0],
    ['fa', 250],
    ['fc fb00', 251],
    ['fc ffff', 0xffff],
    ['fd 000001', 0x10000],
    ['fd ffffff', 0xffffff],
    ['fe 0000000100000000', 0x1000000],
    ['fe ffffffffffff1f00', Number.MAX_SAFE_INTEGER],
    ['fe 0000000000002000', 2n ** 53n],
    ['fe 0100000000002000', 2n ** 53n + 1n],
    ['fe ffffffffffffffff', 2n ** 64n - 1n],
  ];
  for (const [bytes, expected] of lenencCases) {
    it(`reads int<lenenc> ${bytes} as ${typeof expected} ${expected}`, () => {
      const reader = new PayloadReader(hex(bytes));
      const value = reader.lengthEncodedInt();
      assert.equal(typeof value, typeof expected);
      assert.equal(value, expected);
      assert.equal(reader.remaining, 0);
    });
  }

  it('round-trips int<lenenc> at every boundary through PayloadWriter', () => {
    const values: Array<number | bigint> = [0, 1, 250, 251, 252, 0xffff, 0x10000, 0xffffff, 0x1000000, 2 ** 53 - 1, 2n ** 53n + 1n, 2n ** 64n - 1n];
    const writer = new PayloadWriter();
    for (const value of values) writer.lengthEncodedInt(value);
    const reader = new PayloadReader(writer.toBuffer());
    for (const value of values) assert.equal(reader.lengthEncodedInt(), value);
    assert.equal(reader.remaining, 0);
  });

  it('rejects the 0xfb (NULL) and 0xff prefixes as int<lenenc>', () => {
    assertCathodeError(() => new PayloadReader(hex('fb')).lengthEncodedInt(), PROTOCOL_VIOLATION);
    assertCathodeError(() => new PayloadReader(hex('ff 00 00')).lengthEncodedInt(), PROTOCOL_VIOLATION);
  });

  it('reads strings: fixed, length-encoded, NUL-terminated, rest', () => {
    const reader = new PayloadReader(hex('6162 03 78797a 00 c3a900 0102 00 7a7a'));
    assert.deepEqual(reader.bytes(2), Buffer.from('ab'));
    assert.equal(reader.lengthEncodedString(), 'xyz');
    assert.deepEqual(reader.lengthEncodedBytes(), Buffer.alloc(0));
    assert.equal(reader.nullTerminatedString(), 'é');
    assert.deepEqual(reader.nullTerminatedBytes(), hex('0102'));
    assert.equal(reader.restString(), 'zz');
    assert.equal(reader.remaining, 0);
    assert.deepEqual(reader.restBytes(), Buffer.alloc(0));
  });

  it('reads a 251-byte length-encoded string', () => {
    const value = Buffer.alloc(251, 0x61);
    const reader = new PayloadReader(Buffer.concat([hex('fc fb 00'), value, hex('07')]));
    assert.deepEqual(reader.lengthEncodedBytes(), value);
    assert.equal(reader.u8(), 7);
  });

  it('returns views into the payload, not copies', () => {
    const payload = hex('02 6162');
    const bytes = new PayloadReader(payload).lengthEncodedBytes();
    payload[1] = 0x7a;
    assert.deepEqual(bytes, Buffer.from('zb'));
  });

  it('skips bytes', () => {
    const reader = new PayloadReader(hex('01 02 03'));
    reader.skip(2);
    assert.equal(reader.u8(), 3);
  });

  it('honours start offset and end bound', () => {
    const reader = new PayloadReader(hex('ff 01 02 03 04'), 1, 3);
    assert.equal(reader.remaining, 2);
    assert.equal(reader.u16(), 0x0201);
    assert.deepEqual(reader.restBytes(), Buffer.alloc(0));
  });

  describe('truncated input is always a CATHODE_PROTOCOL_VIOLATION, never a RangeError', () => {
    const cases: Array<[string, string, (reader: PayloadReader) => unknown]> = [
      ['u8 on empty', '', (r) => r.u8()],
      ['peekU8 on empty', '', (r) => r.peekU8()],
      ['u16 with 1 byte', '01', (r) => r.u16()],
      ['u24 with 2 bytes', '0102', (r) => r.u24()],
      ['u32 with 3 bytes', '010203', (r) => r.u32()],
      ['u64 with 7 bytes', '01020304050607', (r) => r.u64()],
      ['lenenc on empty', '', (r) => r.lengthEncodedInt()],
      ['lenenc 0xfc with 1 byte', 'fc 01', (r) => r.lengthEncodedInt()],
      ['lenenc 0xfd with 2 bytes', 'fd 0102', (r) => r.lengthEncodedInt()],
      ['lenenc 0xfe with 7 bytes', 'fe 01020304050607', (r) => r.lengthEncodedInt()],
      ['bytes(3) with 2 bytes', '0102', (r) => r.bytes(3)],
      ['skip(3) with 2 bytes', '0102', (r) => r.skip(3)],
      ['lenenc string longer than the packet', '05 61626364', (r) => r.lengthEncodedString()],
      ['lenenc bytes with a truncated length', 'fc 05', (r) => r.lengthEncodedBytes()],
      ['lenenc bytes with a huge length', 'fe ffffffffffffffff 00', (r) => r.lengthEncodedBytes()],
      ['lenenc length that is a bigint', 'fe 0100000000002000', (r) => r.lengthEncodedLength()],
      ['lenenc string with a 3-byte length beyond the packet', 'fc fb00 6161', (r) => r.lengthEncodedString()],
      ['NUL string without terminator', '616263', (r) => r.nullTerminatedString()],
      ['NUL bytes on empty', '', (r) => r.nullTerminatedBytes()],
    ];
    for (const [name, bytes, read] of cases) {
      it(name, () => assertCathodeError(() => read(new PayloadReader(hex(bytes))), PROTOCOL_VIOLATION));
    }

    it('reads past `end` throw even when the buffer has more bytes', () => {
      const buffer = hex('01 02 03 04 05 06 07 08 09');
      assertCathodeError(() => new PayloadReader(buffer, 0, 1).u16(), PROTOCOL_VIOLATION);
      assertCathodeError(() => new PayloadReader(buffer, 0, 3).u32(), PROTOCOL_VIOLATION);
      assertCathodeError(() => new PayloadReader(buffer, 0, 7).u64(), PROTOCOL_VIOLATION);
      assertCathodeError(() => new PayloadReader(buffer, 0, 2).bytes(3), PROTOCOL_VIOLATION);
      assertCathodeError(() => new PayloadReader(hex('03 61 62 63'), 0, 3).lengthEncodedString(), PROTOCOL_VIOLATION);
    });

    it('a NUL after `end` does not terminate a string', () => {
      assertCathodeError(() => new PayloadReader(hex('61 62 00'), 0, 2).nullTerminatedString(), PROTOCOL_VIOLATION);
    });

    it('a reader that starts past the end throws on reads', () => {
      assertCathodeError(() => new PayloadReader(Buffer.alloc(0), 1).u32(), PROTOCOL_VIOLATION);
      assertCathodeError(() => new PayloadReader(Buffer.alloc(0), 1).nullTerminatedString(), PROTOCOL_VIOLATION);
    });

    it('a failed read does not move the cursor', () => {
      const reader = new PayloadReader(hex('01 02 03'));
      assertCathodeError(() => reader.u32(), PROTOCOL_VIOLATION);
      assert.equal(reader.offset, 0);
      assert.equal(reader.u16(), 0x0201);
    });
  });
});
