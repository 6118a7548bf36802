import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hex, sha256 } from '../testing/packet-builders.ts';
import { framePayload } from './frame-payload.ts';
import { MAX_PACKET_PAYLOAD, PACKET_HEADER_LENGTH, writePacketHeader } from './packet-header.ts';

/** Reads the physical packet headers of a framed stream: [length, sequenceId] per packet. */
function headers(bytes: Buffer): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let offset = 0;
  while (offset < bytes.length) {
    const length = bytes.readUIntLE(offset, 3);
    out.push([length, bytes[offset + 3]]);
    offset += PACKET_HEADER_LENGTH + length;
  }
  assert.equal(offset, bytes.length, 'headers cover the stream exactly');
  return out;
}

/** The payload bytes of a framed stream, headers removed. */
function payloadOf(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const length = bytes.readUIntLE(offset, 3);
    parts.push(bytes.subarray(offset + PACKET_HEADER_LENGTH, offset + PACKET_HEADER_LENGTH + length));
    offset += PACKET_HEADER_LENGTH + length;
  }
  return Buffer.concat(parts);
}

describe('writePacketHeader', () => {
  it('writes a 3-byte little-endian length and the sequence id', () => {
    const target = Buffer.alloc(6, 0xee);
    writePacketHeader(target, 1, 0xabcdef, 0x105);
    assert.deepEqual(target, hex('ee efcdab 05 ee'));
  });
});

describe('framePayload', () => {
  it('frames an empty payload as one empty packet', () => {
    const framed = framePayload(Buffer.alloc(0), 0);
    assert.deepEqual(framed.bytes, hex('000000 00'));
    assert.equal(framed.nextSequenceId, 1);
  });

  it('frames a small payload as one packet with the given sequence id', () => {
    const framed = framePayload(Buffer.from('abc'), 3);
    assert.deepEqual(framed.bytes, hex('030000 03 616263'));
    assert.equal(framed.nextSequenceId, 4);
  });

  it('frames 1 byte', () => {
    assert.deepEqual(framePayload(hex('0e'), 0).bytes, hex('010000 00 0e'));
  });

  it('wraps the next sequence id after 255', () => {
    const framed = framePayload(hex('01'), 255);
    assert.deepEqual(framed.bytes, hex('010000 ff 01'));
    assert.equal(framed.nextSequenceId, 0);
  });

  it('frames 0xfffffe bytes as one packet', () => {
    const payload = Buffer.alloc(0xfffffe, 0x61);
    const framed = framePayload(payload, 7);
    assert.deepEqual(headers(framed.bytes), [[0xfffffe, 7]]);
    assert.equal(framed.nextSequenceId, 8);
    assert.equal(sha256(payloadOf(framed.bytes)), sha256(payload));
  });

  it('frames exactly 0xffffff bytes as a full packet followed by an empty one', () => {
    const payload = Buffer.alloc(MAX_PACKET_PAYLOAD, 0x62);
    const framed = framePayload(payload, 0);
    assert.equal(framed.bytes.length, MAX_PACKET_PAYLOAD + 2 * PACKET_HEADER_LENGTH);
    assert.deepEqual(headers(framed.bytes), [[0xffffff, 0], [0, 1]]);
    assert.deepEqual(framed.bytes.subarray(0, 4), hex('ffffff 00'));
    assert.deepEqual(framed.bytes.subarray(-4), hex('000000 01'));
    assert.equal(framed.nextSequenceId, 2);
  });

  it('frames 0xffffff + 1 bytes as a full packet and a 1-byte packet', () => {
    const payload = Buffer.alloc(MAX_PACKET_PAYLOAD + 1, 0x63);
    payload[payload.length - 1] = 0x7a;
    const framed = framePayload(payload, 254);
    assert.deepEqual(headers(framed.bytes), [[0xffffff, 254], [1, 255]]);
    assert.deepEqual(framed.bytes.subarray(-5), hex('010000 ff 7a'));
    assert.equal(framed.nextSequenceId, 0);
    assert.equal(sha256(payloadOf(framed.bytes)), sha256(payload));
  });

  it('frames 2 * 0xffffff + 5 bytes as three packets with consecutive, wrapping sequence ids', () => {
    const payload = Buffer.alloc(2 * MAX_PACKET_PAYLOAD + 5);
    for (let i = 0; i < payload.length; i += 4093) payload[i] = (i / 4093) & 0xff;
    const framed = framePayload(payload, 255);
    assert.deepEqual(headers(framed.bytes), [[0xffffff, 255], [0xffffff, 0], [5, 1]]);
    assert.equal(framed.nextSequenceId, 2);
    assert.equal(framed.bytes.length, payload.length + 3 * PACKET_HEADER_LENGTH);
    assert.equal(sha256(payloadOf(framed.bytes)), sha256(payload));
  });

  it('frames 2 * 0xffffff bytes with a trailing empty packet', () => {
    const framed = framePayload(Buffer.alloc(2 * MAX_PACKET_PAYLOAD), 0);
    assert.deepEqual(headers(framed.bytes), [[0xffffff, 0], [0xffffff, 1], [0, 2]]);
    assert.equal(framed.nextSequenceId, 3);
  });
});
