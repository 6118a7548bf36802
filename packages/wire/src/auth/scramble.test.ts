import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hex } from '../testing/packet-builders.ts';
import { SCRAMBLE_LENGTH, generateScramble, xorRotating } from './scramble.ts';

describe('generateScramble', () => {
  it('returns 20 seven-bit bytes, never 0x00 or 0x24 ($)', () => {
    assert.equal(SCRAMBLE_LENGTH, 20);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const scramble = generateScramble();
      assert.equal(scramble.length, 20);
      for (const byte of scramble) {
        assert.notEqual(byte, 0x00);
        assert.notEqual(byte, 0x24);
        assert.ok(byte < 0x80, `byte 0x${byte.toString(16)} is not 7-bit`);
        seen.add(byte);
      }
    }
    assert.ok(seen.size > 100, 'uses most of the 7-bit range');
  });

  it('returns a different scramble each time', () => {
    assert.notDeepEqual(generateScramble(), generateScramble());
  });
});

describe('xorRotating', () => {
  it('XORs with the key repeated', () => {
    assert.deepEqual(xorRotating(hex('00 ff 0f f0 aa'), hex('ff 0f')), hex('ff f0 f0 ff 55'));
  });

  it('returns empty for empty data', () => {
    assert.deepEqual(xorRotating(Buffer.alloc(0), hex('01')), Buffer.alloc(0));
  });
});
