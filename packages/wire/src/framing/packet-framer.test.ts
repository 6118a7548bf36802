import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { assertCathodeError, chunksOf, hex, packet, sha256, splitAt, splitEverywhere, str } from '../testing/packet-builders.ts';
import { framePayload } from './frame-payload.ts';
import { type LogicalPacket, PacketFramer } from './packet-framer.ts';
import { MAX_PACKET_PAYLOAD } from './packet-header.ts';

function drain(framer: PacketFramer): LogicalPacket[] {
  const out: LogicalPacket[] = [];
  for (let next = framer.next(); next; next = framer.next()) out.push(next);
  return out;
}

/** Pushes chunks one at a time, pulling packets after each. */
function frameChunks(chunks: Buffer[], framer = new PacketFramer()): LogicalPacket[] {
  const out: LogicalPacket[] = [];
  for (const chunk of chunks) {
    framer.push(chunk);
    out.push(...drain(framer));
  }
  return out;
}

const simplify = (packets: LogicalPacket[]) => packets.map((p) => ({ payload: p.payload.toString('hex'), sequenceId: p.sequenceId, lastSequenceId: p.lastSequenceId }));

describe('PacketFramer', () => {
  it('returns undefined until a whole packet is queued', () => {
    const framer = new PacketFramer();
    assert.equal(framer.next(), undefined);
    framer.push(hex('030000'));
    assert.equal(framer.next(), undefined);
    framer.push(hex('05 6162'));
    assert.equal(framer.next(), undefined);
    assert.equal(framer.bufferedLength, 6);
    framer.push(hex('63'));
    assert.deepEqual(simplify(drain(framer)), [{ payload: '616263', sequenceId: 5, lastSequenceId: 5 }]);
    assert.equal(framer.bufferedLength, 0);
  });

  it('returns an empty packet', () => {
    const framer = new PacketFramer();
    framer.push(hex('000000 02'));
    assert.deepEqual(simplify(drain(framer)), [{ payload: '', sequenceId: 2, lastSequenceId: 2 }]);
  });

  const small = Buffer.concat([packet(0, str('ab')), packet(1), packet(2, hex('ff 15 04')), packet(3, Buffer.alloc(40, 0x71))]);
  const expectedSmall = [
    { payload: '6162', sequenceId: 0, lastSequenceId: 0 },
    { payload: '', sequenceId: 1, lastSequenceId: 1 },
    { payload: 'ff1504', sequenceId: 2, lastSequenceId: 2 },
    { payload: '71'.repeat(40), sequenceId: 3, lastSequenceId: 3 },
  ];
  it('frames a small multi-packet stream fed at every split point and byte by byte', () => {
    for (const { label, chunks } of splitEverywhere(small)) {
      assert.deepEqual(simplify(frameChunks(chunks)), expectedSmall, label);
    }
  });

  it('gives a packet that arrived within one chunk as it came (framed), at every split', () => {
    for (const { label, chunks } of splitEverywhere(small)) {
      const chunkEnds: number[] = [];
      chunks.reduce((end, chunk) => (chunkEnds.push(end + chunk.length), end + chunk.length), 0);
      let offset = 0;
      for (const packet of frameChunks(chunks)) {
        const end = offset + 4 + packet.payload.length;
        const withinOneChunk = chunkEnds.every((chunkEnd) => chunkEnd <= offset || chunkEnd >= end);
        if (withinOneChunk) {
          assert.deepEqual(packet.framed, small.subarray(offset, end), label);
          assert.equal(packet.framed!.buffer, packet.payload.buffer, `${label}: framed shares the payload's memory`);
          assert.equal(packet.framed!.byteOffset + 4, packet.payload.byteOffset, label);
        } else {
          assert.equal(packet.framed, undefined, `${label}: a packet cut by a chunk boundary has none`);
        }
        offset = end;
      }
    }
  });

  it('gives no framed bytes for a payload joined from 16 MiB packets', () => {
    const framer = new PacketFramer();
    framer.push(framePayload(Buffer.alloc(MAX_PACKET_PAYLOAD + 3), 0).bytes);
    assert.equal(drain(framer)[0].framed, undefined);
  });

  for (const length of [0, 1, 0xfffffe, MAX_PACKET_PAYLOAD, MAX_PACKET_PAYLOAD + 1, 2 * MAX_PACKET_PAYLOAD + 5]) {
    it(`round-trips a payload of ${length} bytes through framePayload`, () => {
      const payload = length > 1024 ? Buffer.alloc(length) : randomBytes(length);
      if (length > 1024) for (let i = 0; i < length; i += 65_521) payload[i] = (i >> 16) & 0xff;
      payload[length - 1] = 0x5a;
      const framed = framePayload(payload, 250);
      const physical = Math.floor(length / MAX_PACKET_PAYLOAD) + 1;
      for (const chunks of [[framed.bytes], chunksOf(framed.bytes, 1 << 20)]) {
        const framer = new PacketFramer();
        const packets = frameChunks(chunks, framer);
        assert.equal(packets.length, 1);
        assert.equal(packets[0].payload.length, length);
        assert.equal(sha256(packets[0].payload), sha256(payload));
        assert.equal(packets[0].sequenceId, 250);
        assert.equal(packets[0].lastSequenceId, (250 + physical - 1) & 0xff);
        assert.equal(framer.inContinuation, false);
        assert.equal(framer.bufferedLength, 0);
      }
    });
  }

  it('joins a split payload fed around every header boundary, and reports inContinuation between parts', () => {
    const payload = Buffer.alloc(MAX_PACKET_PAYLOAD + 3, 0x41);
    payload.write('xyz', MAX_PACKET_PAYLOAD);
    const bytes = Buffer.concat([framePayload(payload, 0).bytes, packet(2, str('next'))]);
    const secondHeader = 4 + MAX_PACKET_PAYLOAD;
    const thirdHeader = secondHeader + 4 + 3;
    for (const cut of [1, 3, 4, 5, secondHeader - 1, secondHeader, secondHeader + 2, secondHeader + 4, secondHeader + 5, thirdHeader, thirdHeader + 5]) {
      const framer = new PacketFramer();
      const [first, second] = splitAt(bytes, cut);
      framer.push(first);
      const early = drain(framer);
      if (cut < secondHeader + 7) assert.equal(early.length, 0, `cut ${cut}`);
      if (cut >= secondHeader && cut < secondHeader + 7) assert.equal(framer.inContinuation, true, `cut ${cut}`);
      framer.push(second);
      const packets = [...early, ...drain(framer)];
      assert.equal(packets.length, 2, `cut ${cut}`);
      assert.equal(sha256(packets[0].payload), sha256(payload));
      assert.deepEqual([packets[0].sequenceId, packets[0].lastSequenceId], [0, 1]);
      assert.deepEqual(simplify([packets[1]]), [{ payload: '6e657874', sequenceId: 2, lastSequenceId: 2 }]);
    }
  });

  it('frames a 16 MiB + 1 payload fed one byte at a time around its headers', () => {
    const payload = Buffer.alloc(MAX_PACKET_PAYLOAD + 1, 0x42);
    const bytes = framePayload(payload, 9).bytes;
    const framer = new PacketFramer();
    for (let i = 0; i < 8; i++) framer.push(bytes.subarray(i, i + 1));
    framer.push(bytes.subarray(8, bytes.length - 6));
    for (let i = bytes.length - 6; i < bytes.length; i++) {
      assert.equal(framer.next(), undefined);
      framer.push(bytes.subarray(i, i + 1));
    }
    const packets = drain(framer);
    assert.equal(packets.length, 1);
    assert.equal(packets[0].payload.length, MAX_PACKET_PAYLOAD + 1);
    assert.deepEqual([packets[0].sequenceId, packets[0].lastSequenceId], [9, 10]);
  });

  it('returns a zero-copy view when a packet lies in one chunk', () => {
    const chunk = packet(0, str('hello'));
    const framer = new PacketFramer();
    framer.push(chunk);
    const { payload } = framer.next()!;
    assert.equal(payload.buffer, chunk.buffer);
  });

  describe('maxPayloadLength', () => {
    it('accepts a packet of exactly the maximum', () => {
      const framer = new PacketFramer(3);
      framer.push(packet(0, str('abc')));
      assert.equal(framer.next()?.payload.toString(), 'abc');
    });

    it('throws CATHODE_PACKET_TOO_LARGE as soon as the header is seen, before the payload', () => {
      const framer = new PacketFramer(10);
      framer.push(hex('0b0000'));
      assert.equal(framer.next(), undefined);
      framer.push(hex('00'));
      assertCathodeError(() => framer.next(), 'CATHODE_PACKET_TOO_LARGE');
    });

    it('counts the joined length of a split payload', () => {
      const framer = new PacketFramer(MAX_PACKET_PAYLOAD + 5);
      framer.push(packet(0, Buffer.alloc(MAX_PACKET_PAYLOAD)));
      assert.equal(framer.next(), undefined);
      framer.push(hex('060000 01'));
      assertCathodeError(() => framer.next(), 'CATHODE_PACKET_TOO_LARGE');
    });

    it('allows a split payload up to the maximum', () => {
      const framer = new PacketFramer(MAX_PACKET_PAYLOAD + 5);
      framer.push(packet(0, Buffer.alloc(MAX_PACKET_PAYLOAD)));
      framer.push(packet(1, str('12345')));
      assert.equal(framer.next()?.payload.length, MAX_PACKET_PAYLOAD + 5);
    });
  });

  describe('continuation ordering', () => {
    it('throws CATHODE_PACKETS_OUT_OF_ORDER for a continuation with the wrong sequence id', () => {
      const framer = new PacketFramer();
      framer.push(packet(4, Buffer.alloc(MAX_PACKET_PAYLOAD)));
      assert.equal(framer.next(), undefined);
      framer.push(hex('010000 06'));
      assertCathodeError(() => framer.next(), 'CATHODE_PACKETS_OUT_OF_ORDER');
    });

    it('accepts a continuation whose sequence id wraps from 255 to 0', () => {
      const framer = new PacketFramer();
      framer.push(packet(255, Buffer.alloc(MAX_PACKET_PAYLOAD)));
      framer.push(packet(0, hex('01')));
      const result = framer.next();
      assert.deepEqual([result?.sequenceId, result?.lastSequenceId, result?.payload.length], [255, 0, MAX_PACKET_PAYLOAD + 1]);
    });

    it('does not check the order of independent packets', () => {
      const framer = new PacketFramer();
      framer.push(Buffer.concat([packet(7, hex('01')), packet(3, hex('02'))]));
      assert.deepEqual(drain(framer).map((p) => p.sequenceId), [7, 3]);
    });
  });

  describe('takeRemainder', () => {
    it('returns exactly the bytes after the last returned packet, split across chunks', () => {
      const framer = new PacketFramer();
      const ssl = packet(1, Buffer.alloc(32, 0x08));
      const tls = hex('16 03 01 02 00 01 00 01 fc 03 03');
      const bytes = Buffer.concat([ssl, tls]);
      framer.push(bytes.subarray(0, 20));
      framer.push(bytes.subarray(20, 40));
      framer.push(bytes.subarray(40));
      assert.equal(framer.next()?.payload.length, 32);
      assert.deepEqual(framer.takeRemainder(), tls);
      assert.equal(framer.bufferedLength, 0);
      assert.equal(framer.next(), undefined);
      assert.equal(framer.takeRemainder().length, 0);
    });

    it('returns a partial packet that was not returned', () => {
      const framer = new PacketFramer();
      framer.push(Buffer.concat([packet(0, str('ab')), hex('050000 01 6162')]));
      assert.equal(framer.next()?.payload.toString(), 'ab');
      assert.equal(framer.next(), undefined);
      assert.deepEqual(framer.takeRemainder(), hex('050000 01 6162'));
    });

    it('returns the started parts of a split payload with their headers', () => {
      const framer = new PacketFramer();
      const part = packet(3, Buffer.alloc(MAX_PACKET_PAYLOAD, 0x33));
      const tail = hex('020000 04 61');
      framer.push(part);
      framer.push(tail);
      assert.equal(framer.next(), undefined);
      assert.equal(framer.inContinuation, true);
      const rest = framer.takeRemainder();
      assert.equal(rest.length, part.length + tail.length);
      assert.equal(sha256(rest), sha256(Buffer.concat([part, tail])));
      assert.equal(framer.inContinuation, false);
      assert.equal(framer.bufferedLength, 0);
    });
  });
});
