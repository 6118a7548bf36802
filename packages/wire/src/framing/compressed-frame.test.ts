import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { deflateSync, inflateSync } from 'node:zlib';
import { assertCathodeError, cat, hex, packet, sha256, splitEverywhere, str, u24 } from '../testing/packet-builders.ts';
import { COMPRESSED_HEADER_LENGTH, type CompressedFrame, CompressedFrameDecoder, compressFrames } from './compressed-frame.ts';
import { MAX_PACKET_PAYLOAD } from './packet-header.ts';

function decodeAll(chunks: Buffer[], decoder = new CompressedFrameDecoder()): CompressedFrame[] {
  const out: CompressedFrame[] = [];
  for (const chunk of chunks) {
    decoder.push(chunk);
    for (let frame = decoder.next(); frame; frame = decoder.next()) out.push(frame);
  }
  return out;
}

const joined = (frames: CompressedFrame[]): Buffer => Buffer.concat(frames.map((frame) => frame.bytes));

describe('compressFrames', () => {
  it('sends a packet stream under 50 bytes as is, with uncompressed length 0', () => {
    const plain = packet(0, hex('03'), str('SELECT 1'));
    const framed = compressFrames(plain, 0);
    assert.deepEqual(framed.bytes, cat(hex('0d0000 00 000000'), plain));
    assert.deepEqual(framed.bytes, hex('0d0000 00 000000  090000 00 03 53454c4543542031'));
    assert.equal(framed.nextSequenceId, 1);
  });

  it('sends an empty stream as one empty frame', () => {
    const framed = compressFrames(Buffer.alloc(0), 5);
    assert.deepEqual(framed.bytes, hex('000000 05 000000'));
    assert.equal(framed.nextSequenceId, 6);
  });

  it('deflates a compressible stream (zlib format) and records the uncompressed length', () => {
    const plain = packet(3, Buffer.alloc(1000, 0x61));
    const framed = compressFrames(plain, 7);
    const bodyLength = framed.bytes.readUIntLE(0, 3);
    assert.equal(framed.bytes.length, COMPRESSED_HEADER_LENGTH + bodyLength);
    assert.ok(bodyLength < plain.length);
    assert.equal(framed.bytes[3], 7);
    assert.equal(framed.bytes.readUIntLE(4, 3), plain.length);
    assert.deepEqual(inflateSync(framed.bytes.subarray(COMPRESSED_HEADER_LENGTH)), plain);
    assert.equal(framed.nextSequenceId, 8);
  });

  it('sends incompressible data of 50+ bytes as is', () => {
    const plain = randomBytes(200);
    const framed = compressFrames(plain, 0);
    assert.deepEqual(framed.bytes.subarray(0, 7), cat(u24(200), [0], u24(0)));
    assert.deepEqual(framed.bytes.subarray(7), plain);
  });

  it('splits more than 0xffffff bytes into frames with consecutive, wrapping sequence ids', () => {
    const plain = Buffer.alloc(MAX_PACKET_PAYLOAD + 100, 0x55);
    const framed = compressFrames(plain, 255);
    assert.equal(framed.nextSequenceId, 1);
    const frames = decodeAll([framed.bytes], new CompressedFrameDecoder());
    assert.deepEqual(frames.map((frame) => [frame.sequenceId, frame.bytes.length]), [[255, MAX_PACKET_PAYLOAD], [0, 100]]);
    assert.equal(sha256(joined(frames)), sha256(plain));
  });
});

describe('CompressedFrameDecoder', () => {
  it('round-trips a small frame (sent uncompressed) fed at every split point and byte by byte', () => {
    const plain = Buffer.concat([packet(0, hex('03'), str('SELECT 1')), packet(1, hex('0e'))]);
    const bytes = compressFrames(plain, 3).bytes;
    for (const { label, chunks } of splitEverywhere(bytes)) {
      const frames = decodeAll(chunks);
      assert.equal(frames.length, 1, label);
      assert.deepEqual(frames[0], { bytes: plain, sequenceId: 3 }, label);
    }
  });

  it('round-trips a large compressed frame fed at every split point', () => {
    const plain = packet(0, Buffer.from('abcdefgh'.repeat(100)));
    const bytes = compressFrames(plain, 0).bytes;
    assert.ok(bytes.readUIntLE(4, 3) > 0, 'was compressed');
    for (const { label, chunks } of splitEverywhere(bytes)) {
      assert.deepEqual(joined(decodeAll(chunks)), plain, label);
    }
  });

  it('decodes several frames from one chunk, and waits for the rest of a partial one', () => {
    const a = compressFrames(str('first'), 0);
    const b = compressFrames(Buffer.from('z'.repeat(500)), a.nextSequenceId);
    const bytes = Buffer.concat([a.bytes, b.bytes]);
    const decoder = new CompressedFrameDecoder();
    decoder.push(bytes.subarray(0, bytes.length - 1));
    assert.deepEqual(decoder.next(), { bytes: str('first'), sequenceId: 0 });
    assert.equal(decoder.next(), undefined);
    decoder.push(bytes.subarray(bytes.length - 1));
    assert.deepEqual(decoder.next(), { bytes: Buffer.from('z'.repeat(500)), sequenceId: 1 });
    assert.equal(decoder.next(), undefined);
  });

  it('round-trips 2 * 0xffffff + 5 bytes of packet stream', () => {
    const plain = randomBytes(2 * MAX_PACKET_PAYLOAD + 5);
    plain.fill(0, 1000, 5_000_000);
    const frames = decodeAll([compressFrames(plain, 0).bytes]);
    assert.deepEqual(frames.map((frame) => frame.sequenceId), [0, 1, 2]);
    assert.equal(sha256(joined(frames)), sha256(plain));
  });

  it('throws CATHODE_UNCOMPRESS_FAILED on corrupt deflate data', () => {
    const decoder = new CompressedFrameDecoder();
    decoder.push(cat(u24(6), [0], u24(100), hex('01 02 03 04 05 06')));
    assertCathodeError(() => decoder.next(), 'CATHODE_UNCOMPRESS_FAILED');
  });

  it('throws CATHODE_UNCOMPRESS_FAILED when the data inflates to fewer bytes than the header says', () => {
    const body = deflateSync(Buffer.alloc(100, 1));
    const decoder = new CompressedFrameDecoder();
    decoder.push(cat(u24(body.length), [0], u24(101), body));
    assertCathodeError(() => decoder.next(), 'CATHODE_UNCOMPRESS_FAILED');
  });

  it('throws CATHODE_UNCOMPRESS_FAILED when the data inflates to more bytes than the header says', () => {
    const body = deflateSync(Buffer.alloc(100, 1));
    const decoder = new CompressedFrameDecoder();
    decoder.push(cat(u24(body.length), [0], u24(99), body));
    assertCathodeError(() => decoder.next(), 'CATHODE_UNCOMPRESS_FAILED');
  });

  it('throws CATHODE_PACKET_TOO_LARGE from the header when the uncompressed length exceeds the maximum', () => {
    const decoder = new CompressedFrameDecoder(1000);
    decoder.push(cat(u24(10), [0], u24(1001)));
    assertCathodeError(() => decoder.next(), 'CATHODE_PACKET_TOO_LARGE');
  });

  it('throws CATHODE_PACKET_TOO_LARGE for an uncompressed frame larger than the maximum', () => {
    const decoder = new CompressedFrameDecoder(1000);
    decoder.push(cat(u24(1001), [0], u24(0)));
    assertCathodeError(() => decoder.next(), 'CATHODE_PACKET_TOO_LARGE');
  });
});
