import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertTruncationsThrow, cat, hex } from '../testing/packet-builders.ts';
import { decodeTextRow, encodeTextRow } from './text-row.ts';

describe('text row', () => {
  it('encodes length-encoded values and 0xfb for NULL', () => {
    assert.deepEqual(encodeTextRow(['1', null, 'abc', '', hex('00ff')]), hex('01 31 fb 03 616263 00 02 00ff'));
  });

  it('decodes it back (values as bytes)', () => {
    assert.deepEqual(decodeTextRow(hex('01 31 fb 03 616263 00 02 00ff'), 5), [hex('31'), null, hex('616263'), hex(''), hex('00ff')]);
  });

  it('round-trips a value of 251+ bytes (0xfc prefix, not NULL)', () => {
    const big = Buffer.alloc(251, 0x78);
    const bytes = encodeTextRow([big, null]);
    assert.deepEqual(bytes, cat(hex('fc fb00'), big, hex('fb')));
    assert.deepEqual(decodeTextRow(bytes, 2), [big, null]);
  });

  it('throws CATHODE_PROTOCOL_VIOLATION when truncated or when fewer values than columns are present', () => {
    const bytes = hex('01 31 fb 03 616263');
    assertTruncationsThrow(bytes, (payload) => decodeTextRow(payload, 3));
    assertTruncationsThrow(bytes, (payload) => decodeTextRow(payload, 4), [bytes.length]);
  });
});
