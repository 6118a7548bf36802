import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';
import { PROTOCOL_VIOLATION, assertCathodeError, cat, hex, lenencStr } from '../testing/packet-builders.ts';
import { readConnectAttributes, writeConnectAttributes } from './connect-attributes.ts';

const write = (attributes: Record<string, string>): Buffer => {
  const writer = new PayloadWriter();
  writeConnectAttributes(writer, attributes);
  return writer.toBuffer();
};

describe('connect attributes', () => {
  it('writes a length-prefixed list of lenenc key/value pairs', () => {
    assert.deepEqual(write({ _os: 'Linux', a: '' }), hex('0d 03 5f6f73 05 4c696e7578 01 61 00'));
  });

  it('writes an empty list as a zero length', () => {
    assert.deepEqual(write({}), hex('00'));
  });

  it('reads them back and stops at the block end', () => {
    const reader = new PayloadReader(cat(write({ _os: 'Linux', a: '' }), hex('99')));
    assert.deepEqual(readConnectAttributes(reader), { _os: 'Linux', a: '' });
    assert.equal(reader.u8(), 0x99);
  });

  it('uses a 3-byte block length past 250 bytes', () => {
    const bytes = write({ k: 'v'.repeat(300) });
    assert.deepEqual(bytes.subarray(0, 3), hex('fc 3101'));
    assert.deepEqual(readConnectAttributes(new PayloadReader(bytes)), { k: 'v'.repeat(300) });
  });

  it('rejects a block that overruns the packet', () => {
    assertCathodeError(() => readConnectAttributes(new PayloadReader(cat(hex('20'), lenencStr('a'), lenencStr('b')))), PROTOCOL_VIOLATION);
  });

  it('rejects an entry that crosses the declared block end', () => {
    assertCathodeError(() => readConnectAttributes(new PayloadReader(cat(hex('03'), lenencStr('a'), lenencStr('bc')))), PROTOCOL_VIOLATION);
  });

  it('rejects a key without a value', () => {
    assertCathodeError(() => readConnectAttributes(new PayloadReader(cat(hex('02'), lenencStr('a')))), PROTOCOL_VIOLATION);
  });
});
