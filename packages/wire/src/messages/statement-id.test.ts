import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertTruncationsThrow, hex } from '../testing/packet-builders.ts';
import { readStatementId, withStatementId } from './statement-id.ts';

describe('statement id', () => {
  it('reads the 4 bytes after the command byte', () => {
    assert.equal(readStatementId(hex('17 04030201 00 01000000')), 0x01020304);
    assert.equal(readStatementId(hex('19 ffffffff')), 0xffffffff);
  });

  it('rewrites them in a copy, leaving the original untouched', () => {
    const original = hex('17 01000000 00 01000000');
    const rewritten = withStatementId(original, 0xa1b2c3d4);
    assert.deepEqual(rewritten, hex('17 d4c3b2a1 00 01000000'));
    assert.deepEqual(original, hex('17 01000000 00 01000000'));
  });

  it('throws CATHODE_PROTOCOL_VIOLATION for a payload too short to carry an id', () => {
    assertTruncationsThrow(hex('19 01000000'), readStatementId);
    assertTruncationsThrow(hex('19 01000000'), (payload) => withStatementId(payload, 2));
  });
});
