import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hex } from '../testing/packet-builders.ts';
import { ByteQueue } from './byte-queue.ts';

function queueOf(...chunks: string[]): ByteQueue {
  const queue = new ByteQueue();
  for (const chunk of chunks) queue.push(hex(chunk));
  return queue;
}

describe('ByteQueue', () => {
  it('counts pushed bytes and ignores empty chunks', () => {
    const queue = queueOf('0102', '', '030405');
    assert.equal(queue.length, 5);
  });

  it('takes a zero-copy view when the span lies within one chunk', () => {
    const chunk = hex('01 02 03 04');
    const queue = new ByteQueue();
    queue.push(chunk);
    const taken = queue.take(2);
    assert.deepEqual(taken, hex('01 02'));
    assert.equal(taken.buffer, chunk.buffer, 'same memory');
    assert.equal(taken.byteOffset, chunk.byteOffset);
    const next = queue.take(2);
    assert.equal(next.buffer, chunk.buffer);
    assert.equal(next.byteOffset, chunk.byteOffset + 2);
    assert.equal(queue.length, 0);
  });

  it('takes across chunk boundaries, copying in order', () => {
    const queue = queueOf('01 02', '03', '04 05 06');
    assert.deepEqual(queue.take(1), hex('01'));
    assert.deepEqual(queue.take(4), hex('02 03 04 05'));
    assert.equal(queue.length, 1);
    assert.deepEqual(queue.take(1), hex('06'));
    assert.equal(queue.length, 0);
  });

  it('take(0) returns an empty buffer without consuming', () => {
    const queue = queueOf('01');
    assert.equal(queue.take(0).length, 0);
    assert.equal(queue.length, 1);
  });

  it('byteAt and uintAt read across chunks without consuming', () => {
    const queue = queueOf('aa 01', '02', '03 04 bb');
    assert.equal(queue.byteAt(0), 0xaa);
    assert.equal(queue.byteAt(2), 0x02);
    assert.equal(queue.byteAt(5), 0xbb);
    assert.equal(queue.uintAt(1, 3), 0x030201);
    assert.equal(queue.uintAt(1, 4), 0x04030201);
    assert.equal(queue.uintAt(0, 1), 0xaa);
    assert.equal(queue.length, 6);
  });

  it('byteAt and uintAt are relative to the consumed front', () => {
    const queue = queueOf('aa bb cc', 'dd ee');
    queue.advance(2);
    assert.equal(queue.byteAt(0), 0xcc);
    assert.equal(queue.uintAt(0, 3), 0xeeddcc);
    queue.advance(2);
    assert.equal(queue.byteAt(0), 0xee);
  });

  it('uintAt reads a 3-byte packet length split over three chunks', () => {
    const queue = queueOf('ff', 'ff', 'ff', '00');
    assert.equal(queue.uintAt(0, 3), 0xffffff);
    assert.equal(queue.byteAt(3), 0);
  });

  it('byteAt beyond the queued bytes throws', () => {
    assert.throws(() => queueOf('01').byteAt(1), RangeError);
  });

  it('advance skips bytes across chunks', () => {
    const queue = queueOf('01 02', '03 04', '05');
    queue.advance(3);
    assert.equal(queue.length, 2);
    assert.deepEqual(queue.drain(), hex('04 05'));
    assert.equal(queue.length, 0);
  });

  it('drain returns everything and leaves the queue reusable', () => {
    const queue = queueOf('01', '02 03');
    assert.deepEqual(queue.drain(), hex('01 02 03'));
    assert.equal(queue.length, 0);
    assert.equal(queue.drain().length, 0);
    queue.push(hex('09'));
    assert.deepEqual(queue.take(1), hex('09'));
  });

  it('keeps the right bytes after many chunks are consumed (head compaction)', () => {
    const queue = new ByteQueue();
    for (let i = 0; i < 300; i++) queue.push(Buffer.of(i & 0xff));
    for (let i = 0; i < 200; i++) assert.equal(queue.take(1)[0], i & 0xff);
    assert.equal(queue.length, 100);
    assert.equal(queue.byteAt(0), 200);
    assert.equal(queue.uintAt(0, 2), 200 | (201 << 8));
    const rest = queue.drain();
    assert.equal(rest.length, 100);
    for (let i = 0; i < 100; i++) assert.equal(rest[i], (200 + i) & 0xff);
  });

  it('take of a span within a later chunk after partial consumption is still zero-copy', () => {
    const second = hex('05 06 07 08');
    const queue = new ByteQueue();
    queue.push(hex('01 02'));
    queue.push(second);
    queue.advance(3);
    const taken = queue.take(2);
    assert.deepEqual(taken, hex('06 07'));
    assert.equal(taken.buffer, second.buffer);
  });
});
