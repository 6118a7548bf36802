import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertTruncationsThrow, hex } from '../testing/packet-builders.ts';
import { readStatementId } from './statement-id.ts';

describe('statement id', () => {
  it('reads the 4 bytes after the command byte', () => {
    assert.equal(readStatementId(hex('17 04030201 00 01000000')), 0x01020304);
    assert.equal(readStatementId(hex('19 ffffffff')), 0xffffffff);
  });

  it('throws CATHODE_PROTOCOL_VIOLATION for a payload too short to carry an id', () => {
    assertTruncationsThrow(hex('19 01000000'), readStatementId);
  });
});
