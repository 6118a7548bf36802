import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hex } from '../testing/packet-builders.ts';
import { AUTH_MORE_DATA_HEADER, decodeAuthMoreData, encodeAuthMoreData } from './auth-more-data.ts';

describe('AuthMoreData', () => {
  it('encodes 0x01 + data', () => {
    assert.equal(AUTH_MORE_DATA_HEADER, 0x01);
    assert.deepEqual(encodeAuthMoreData(hex('03')), hex('01 03'));
    assert.deepEqual(encodeAuthMoreData(Buffer.from('-----BEGIN')), hex('01 2d2d2d2d2d424547494e'));
    assert.deepEqual(encodeAuthMoreData(Buffer.alloc(0)), hex('01'));
  });

  it('decodes the data after the header', () => {
    assert.deepEqual(decodeAuthMoreData(hex('01 04')), hex('04'));
    assert.deepEqual(decodeAuthMoreData(encodeAuthMoreData(hex('0a0b0c'))), hex('0a0b0c'));
    assert.deepEqual(decodeAuthMoreData(hex('01')), Buffer.alloc(0));
  });
});
