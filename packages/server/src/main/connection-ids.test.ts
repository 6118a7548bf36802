import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COUNTER_BITS, ConnectionIds } from './connection-ids.ts';

test('ids carry the instance id in the high 8 bits and stay below 2^32', () => {
  assert.equal(new ConnectionIds(0, () => false).next(), 1);
  assert.equal(new ConnectionIds(1, () => false).next(), 2 ** 24 + 1);
  const last = new ConnectionIds(255, () => false);
  assert.equal(last.next() >>> COUNTER_BITS, 255);
  assert.ok(last.next() < 2 ** 32);
  assert.throws(() => new ConnectionIds(256, () => false), RangeError);
  assert.throws(() => new ConnectionIds(-1, () => false), RangeError);
});

test('two instances never hand out the same id', () => {
  const a = new ConnectionIds(3, () => false);
  const b = new ConnectionIds(4, () => false);
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    for (const id of [a.next(), b.next()]) {
      assert.ok(!seen.has(id), `id ${id} given twice`);
      seen.add(id);
    }
  }
});

test('the counter wraps past 2^24 - 1 to 1 (never 0) and skips ids still in use', () => {
  const live = new Set<number>([2 ** 24 * 2 + 1, 2 ** 24 * 2 + 3]);
  const ids = new ConnectionIds(2, (id) => live.has(id));
  // Fast-forward to the end of the counter's range.
  (ids as unknown as { counter: number }).counter = 2 ** 24 - 2;
  assert.equal(ids.next(), 2 ** 24 * 2 + 2 ** 24 - 1);
  assert.equal(ids.next(), 2 ** 24 * 2 + 2, 'wrapped to 1, which is in use, so 2');
  assert.equal(ids.next(), 2 ** 24 * 2 + 4, '3 is in use too');
});

test('with every id in use, allocation fails instead of looping forever', () => {
  const ids = new ConnectionIds(0, () => true);
  assert.throws(() => ids.next(), /every connection id/);
});
