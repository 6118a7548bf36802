/**
 * Bytes received but not yet consumed, kept as the chunks they arrived in. Taking bytes that lie in
 * one chunk is a zero-copy view; a span across chunks is copied once, so large packets arriving in
 * many small chunks cost O(n), not O(n²).
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0;
  private offset = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** The byte at `index` from the front, without consuming. */
  byteAt(index: number): number {
    let position = this.offset + index;
    for (let i = this.head; i < this.chunks.length; i++) {
      const chunk = this.chunks[i];
      if (position < chunk.length) return chunk[position];
      position -= chunk.length;
    }
    throw new RangeError(`byteAt(${index}) beyond ${this.size} queued bytes`);
  }

  /** Little-endian unsigned integer of `bytes` bytes at `index`, without consuming. */
  uintAt(index: number, bytes: number): number {
    let value = 0;
    for (let i = bytes - 1; i >= 0; i--) value = value * 256 + this.byteAt(index + i);
    return value;
  }

  /** Removes and returns the first `length` bytes (caller checks `length <= this.length`). */
  take(length: number): Buffer {
    if (length === 0) return Buffer.alloc(0);
    const first = this.chunks[this.head];
    if (first.length - this.offset >= length) {
      const view = first.subarray(this.offset, this.offset + length);
      this.advance(length);
      return view;
    }
    const out = Buffer.allocUnsafe(length);
    let written = 0;
    while (written < length) {
      const chunk = this.chunks[this.head];
      const count = Math.min(chunk.length - this.offset, length - written);
      chunk.copy(out, written, this.offset, this.offset + count);
      written += count;
      this.advance(count);
    }
    return out;
  }

  /** The first `length` bytes as a view, consumed, if they lie in one chunk; else undefined and nothing consumed. */
  takeContiguous(length: number): Buffer | undefined {
    const first = this.chunks[this.head];
    if (!first || first.length - this.offset < length) return undefined;
    const view = first.subarray(this.offset, this.offset + length);
    this.advance(length);
    return view;
  }

  /** Discards `length` bytes from the front. */
  advance(length: number): void {
    this.size -= length;
    this.offset += length;
    while (this.head < this.chunks.length && this.offset >= this.chunks[this.head].length) {
      this.offset -= this.chunks[this.head].length;
      this.head++;
    }
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
      this.offset = 0;
    } else if (this.head > 64) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** Everything still queued, as one buffer, leaving the queue empty. */
  drain(): Buffer {
    return this.take(this.size);
  }
}
