import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerStatus } from '../constants/server-status.ts';
import { ColumnType } from '../constants/column-type.ts';
import { bytesOneByOne, cat, chunksOf, columnPayload, errPayload, hex, okPayload, packets, prepareOkPayload, splitAt, splitEverywhere, str } from '../testing/packet-builders.ts';
import { type ResponseScenario, hugeRowScenario, scenarios } from '../testing/response-streams.ts';
import { PacketRelay } from './packet-relay.ts';
import { PACKET_HEAD_LENGTH, ResponseScanner } from './response-scanner.ts';
import { ResponseShape } from './response-shape.ts';

interface RelayRun {
  forwarded: Buffer;
  /** Index of the chunk on which `done` first came back true, or -1. */
  doneChunk: number;
  leftover: Buffer | undefined;
  unfed: Buffer[];
}

function runRelay(relay: PacketRelay, chunks: Buffer[]): RelayRun {
  const forwards: Buffer[] = [];
  for (let i = 0; i < chunks.length; i++) {
    const step = relay.feed(chunks[i]);
    forwards.push(step.forward);
    if (step.done) return { forwarded: Buffer.concat(forwards), doneChunk: i, leftover: step.leftover, unfed: chunks.slice(i + 1) };
    assert.equal(step.leftover, undefined, 'no leftover before the end');
  }
  return { forwarded: Buffer.concat(forwards), doneChunk: -1, leftover: undefined, unfed: [] };
}

/** Index of the chunk holding byte `offset` of the concatenated chunks. */
function chunkIndexOf(chunks: Buffer[], offset: number): number {
  let end = 0;
  for (let i = 0; i < chunks.length; i++) {
    end += chunks[i].length;
    if (offset < end) return i;
  }
  throw new RangeError('offset beyond the chunks');
}

/**
 * Relays `response` + `trailer` delivered as `chunks` and checks: the forwarded bytes are exactly
 * `expected` (the response, after any rewriting), `done` comes on the chunk holding the last
 * response byte and not before, and the trailer comes back as leftover plus unfed chunks.
 */
function checkRelay(relay: PacketRelay, chunks: Buffer[], responseLength: number, expected: Buffer, trailer: Buffer, label: string): RelayRun {
  const run = runRelay(relay, chunks);
  assert.equal(run.doneChunk, chunkIndexOf(chunks, responseLength - 1), `${label}: done on the chunk with the last byte`);
  assert.equal(run.forwarded.length, expected.length, `${label}: forwarded length`);
  assert.ok(run.forwarded.equals(expected), `${label}: forwarded bytes`);
  const rest = Buffer.concat([run.leftover ?? Buffer.alloc(0), ...run.unfed]);
  assert.deepEqual(rest, trailer, `${label}: leftover`);
  if (run.leftover !== undefined) assert.ok(run.leftover.length > 0, `${label}: leftover is undefined rather than empty`);
  assert.equal(relay.atPacketBoundary, true, `${label}: at a packet boundary`);
  return run;
}

const relayFor = (scenario: ResponseScenario): PacketRelay => new PacketRelay(new ResponseScanner(scenario.shape, scenario.deprecateEof, scenario.cacheMetadata));

function checkOutcome(relay: PacketRelay, scenario: ResponseScenario, label: string): void {
  assert.equal(relay.scanner.done, true, label);
  assert.equal(relay.scanner.failed, scenario.failed, `${label}: failed`);
  assert.equal(relay.scanner.statusFlags, scenario.statusFlags, `${label}: statusFlags`);
  assert.deepEqual(relay.scanner.prepareOk, scenario.prepareOk, `${label}: prepareOk`);
}

const trailer = cat(packets(0, hex('03'), str('SELECT 2')));

describe('PacketRelay', () => {
  for (const scenario of scenarios) {
    it(`${scenario.name} (deprecateEof=${scenario.deprecateEof}): forwards every byte at every split, done on the last one`, () => {
      const response = packets(1, ...scenario.payloads);
      for (const { label, chunks } of splitEverywhere(response)) {
        const relay = relayFor(scenario);
        checkRelay(relay, chunks, response.length, response, Buffer.alloc(0), label);
        checkOutcome(relay, scenario, label);
        assert.equal(relay.lastForwardedSequenceId, scenario.payloads.length & 0xff, label);
      }
    });

    it(`${scenario.name} (deprecateEof=${scenario.deprecateEof}): hands back bytes after the response as leftover`, () => {
      const response = packets(1, ...scenario.payloads);
      for (const { label, chunks } of splitEverywhere(Buffer.concat([response, trailer]))) {
        const relay = relayFor(scenario);
        checkRelay(relay, chunks, response.length, response, trailer, label);
        checkOutcome(relay, scenario, label);
      }
    });
  }

  for (const [deprecateEof, tail] of [[false, 5], [true, 5], [false, 0], [true, 0]] as const) {
    const scenario = hugeRowScenario(deprecateEof, tail);
    it(`${scenario.name}: forwards the 16 MiB row without ending early`, () => {
      const response = packets(1, ...scenario.payloads);
      // Packet header offsets, to split around each of them.
      const headerOffsets: number[] = [];
      for (let offset = 0; offset < response.length; offset += 4 + response.readUIntLE(offset, 3)) headerOffsets.push(offset);
      assert.equal(headerOffsets.length, scenario.payloads.length + 1, 'one continuation packet');
      const whole = Buffer.concat([response, trailer]);
      const cuts = new Set<number>();
      for (const offset of headerOffsets) for (const delta of [-1, 1, 2, 3, 4, 5, 4 + PACKET_HEAD_LENGTH - 1, 4 + PACKET_HEAD_LENGTH]) cuts.add(offset + delta);
      const chunkings: Array<[string, Buffer[]]> = [
        ['whole', [whole]],
        ['64 KiB chunks', chunksOf(whole, 65_536)],
        ['1000003-byte chunks', chunksOf(whole, 1_000_003)],
        ...[...cuts].filter((cut) => cut > 0 && cut < whole.length).map((cut): [string, Buffer[]] => [`split at ${cut}`, splitAt(whole, cut)]),
        ['every header byte alone', splitAt(whole, ...[...new Set(headerOffsets.flatMap((offset) => [offset, offset + 1, offset + 2, offset + 3, offset + 4]))].filter((o) => o > 0 && o < whole.length).sort((a, b) => a - b))],
      ];
      for (const [label, chunks] of chunkings) {
        const relay = relayFor(scenario);
        checkRelay(relay, chunks, response.length, response, trailer, label);
        checkOutcome(relay, scenario, label);
      }
    });
  }

  it('LOCAL INFILE: stops at the request, then relays the OK after localInfileSent()', () => {
    const request = packets(1, cat([0xfb], str('/tmp/data.csv')));
    const ok = packets(3, okPayload({ affectedRows: 3, status: ServerStatus.SERVER_STATUS_IN_TRANS }));
    for (const { label, chunks } of splitEverywhere(request)) {
      const relay = new PacketRelay(new ResponseScanner(ResponseShape.RESULT, false));
      const run = runRelay(relay, chunks);
      assert.equal(run.doneChunk, -1, label);
      assert.deepEqual(run.forwarded, request, label);
      assert.equal(relay.scanner.awaitingLocalInfile, true, label);
      relay.scanner.localInfileSent();
      for (const { label: okLabel, chunks: okChunks } of splitEverywhere(ok)) {
        const copy = new PacketRelay(new ResponseScanner(ResponseShape.RESULT, false));
        runRelay(copy, [Buffer.from(request)]);
        copy.scanner.localInfileSent();
        checkRelay(copy, okChunks, ok.length, ok, Buffer.alloc(0), `${label} / ${okLabel}`);
        assert.equal(copy.scanner.statusFlags, ServerStatus.SERVER_STATUS_IN_TRANS);
      }
      checkRelay(relay, [Buffer.from(ok)], ok.length, ok, Buffer.alloc(0), label);
      assert.equal(relay.lastForwardedSequenceId, 3);
    }
  });

  it('LOCAL INFILE refused with ERR', () => {
    const relay = new PacketRelay(new ResponseScanner(ResponseShape.RESULT, true));
    assert.equal(relay.feed(packets(1, hex('fb 78'))).done, false);
    relay.scanner.localInfileSent();
    const err = packets(3, errPayload(1148, '42000', 'The used command is not allowed'));
    const step = relay.feed(err);
    assert.deepEqual([step.done, step.forward.equals(err), relay.scanner.failed], [true, true, true]);
  });

  it('a response with no packets is done at once and everything is leftover', () => {
    const relay = new PacketRelay(new ResponseScanner(ResponseShape.NONE, false));
    const step = relay.feed(trailer);
    assert.equal(step.done, true);
    assert.equal(step.forward.length, 0);
    assert.deepEqual(step.leftover, trailer);
  });

  it('an empty chunk forwards nothing', () => {
    const relay = new PacketRelay(new ResponseScanner(ResponseShape.RESULT, false));
    assert.deepEqual(relay.feed(Buffer.alloc(0)), { forward: Buffer.alloc(0), done: false, leftover: undefined });
  });

  describe('sequenceShift', () => {
    const scenario = scenarios.find((s) => s.name === 'text result set with EOF packets')!;

    for (const [first, shift] of [[1, 2], [1, -1], [254, 3], [250, 255]] as const) {
      it(`rewrites every header's sequence id by ${shift} (from ${first}), at every split`, () => {
        const response = packets(first, ...scenario.payloads);
        const expected = packets((first + shift) & 0xff, ...scenario.payloads);
        assert.equal(expected.length, response.length);
        for (const { label, chunks } of splitEverywhere(Buffer.concat([response, trailer]))) {
          const relay = relayFor(scenario);
          relay.sequenceShift = shift;
          checkRelay(relay, chunks, response.length, expected, trailer, label);
          assert.equal(relay.lastForwardedSequenceId, (first + shift + scenario.payloads.length - 1) & 0xff, label);
          checkOutcome(relay, scenario, label);
        }
      });
    }

    it('rewrites the continuation headers of a 16 MiB row too', () => {
      const huge = hugeRowScenario(true);
      const response = packets(1, ...huge.payloads);
      const expected = packets(11, ...huge.payloads);
      for (const chunks of [[Buffer.from(response)], chunksOf(response, 65_536)]) {
        const relay = relayFor(huge);
        relay.sequenceShift = 10;
        checkRelay(relay, chunks, response.length, expected, Buffer.alloc(0), 'shift 10');
      }
    });
  });

  describe('onHead', () => {
    const scenario = scenarios.find((s) => s.name === 'PREPARE with params and columns, EOF packets')!;

    it('can patch the prepare-OK statement id in the forwarded bytes, at every split', () => {
      const response = packets(1, ...scenario.payloads);
      const expected = packets(1, prepareOkPayload(0xabcdef01, 2, 1, 0), ...scenario.payloads.slice(1));
      assert.notDeepEqual(expected, response);
      for (const { label, chunks } of splitEverywhere(Buffer.concat([response, trailer]))) {
        const relay = relayFor(scenario);
        const seen: Array<[string, number]> = [];
        relay.onHead = (head, length) => {
          seen.push([head.toString('hex'), length]);
          if (seen.length === 1) head.writeUInt32LE(0xabcdef01, 1);
        };
        checkRelay(relay, chunks, response.length, expected, trailer, label);
        assert.equal(seen.length, scenario.payloads.length, label);
        assert.deepEqual(relay.scanner.prepareOk, scenario.prepareOk, `${label}: the scanner saw the original id`);
      }
    });

    it('can insert packets after one (skipped metadata put back), renumbering the rest, at every split', () => {
      const skipped = scenarios.find((s) => s.name === 'cached metadata: EXECUTE with definitions skipped, EOF packets')!;
      const definition = columnPayload('a', ColumnType.LONG);
      const response = packets(1, ...skipped.payloads);
      const expected = packets(1, hex('0101'), definition, ...skipped.payloads.slice(1));
      for (const { label, chunks } of splitEverywhere(Buffer.concat([response, trailer]))) {
        const relay = relayFor(skipped);
        let first = true;
        relay.onHead = (head) => {
          if (!first) return;
          first = false;
          head[1] = 1;
          return [definition];
        };
        checkRelay(relay, chunks, response.length, expected, trailer, label);
        assert.equal(relay.lastForwardedSequenceId, skipped.payloads.length + 1, label);
        checkOutcome(relay, skipped, label);
      }
    });

    it('refuses to insert after a packet longer than its head', () => {
      const relay = new PacketRelay(new ResponseScanner(ResponseShape.OK, false));
      relay.onHead = () => [hex('00')];
      assert.throws(() => relay.feed(packets(1, okPayload({ info: 'x'.repeat(100) }))), /only be inserted after a packet that ends within its head/);
    });

    it('is given at most PACKET_HEAD_LENGTH bytes of each packet and its full length, and nothing for continuations', () => {
      const long = okPayload({ affectedRows: 1, info: 'x'.repeat(100) });
      const relay = new PacketRelay(new ResponseScanner(ResponseShape.OK, false));
      const seen: Array<[Buffer, number]> = [];
      relay.onHead = (head, length) => {
        seen.push([Buffer.from(head), length]);
      };
      const step = relay.feed(packets(1, long));
      assert.equal(step.done, true);
      assert.deepEqual(seen, [[long.subarray(0, PACKET_HEAD_LENGTH), long.length]]);

      const huge = hugeRowScenario(false);
      const hugeRelay = relayFor(huge);
      const lengths: number[] = [];
      hugeRelay.onHead = (_head, length) => {
        lengths.push(length);
      };
      hugeRelay.feed(packets(1, ...huge.payloads));
      assert.deepEqual(lengths, huge.payloads.map((payload) => Math.min(payload.length, 0xffffff)));
    });
  });

  it('reports the final terminator status flags (SERVER_STATUS_IN_TRANS)', () => {
    const scenario = scenarios.find((s) => s.name === 'multi-result: two result sets (EOF packets)')!;
    const relay = relayFor(scenario);
    const step = relay.feed(packets(1, ...scenario.payloads));
    assert.equal(step.done, true);
    const flags = relay.scanner.statusFlags ?? 0;
    assert.equal(flags & ServerStatus.SERVER_STATUS_IN_TRANS, ServerStatus.SERVER_STATUS_IN_TRANS);
    assert.equal(flags & ServerStatus.SERVER_MORE_RESULTS_EXISTS, 0);
  });

  it('is not done after the first of two result sets', () => {
    const scenario = scenarios.find((s) => s.name === 'multi-result: two result sets (EOF packets)')!;
    const first = packets(1, ...scenario.payloads.slice(0, 5));
    const relay = relayFor(scenario);
    const step = relay.feed(first);
    assert.equal(step.done, false);
    assert.deepEqual(step.forward, first);
    assert.equal(relay.atPacketBoundary, true);
  });

  it('holds back a packet whose header or head is cut, and is not at a packet boundary meanwhile', () => {
    const ok = packets(1, okPayload({ status: 2, info: 'y'.repeat(40) }));
    const relay = new PacketRelay(new ResponseScanner(ResponseShape.OK, false));
    const first = relay.feed(Buffer.from(ok.subarray(0, 10)));
    assert.equal(first.forward.length, 0);
    assert.equal(relay.atPacketBoundary, false);
    const second = relay.feed(Buffer.from(ok.subarray(10, 40)));
    assert.deepEqual(second.forward, ok.subarray(0, 40));
    assert.equal(second.done, false);
    assert.equal(relay.atPacketBoundary, false, 'inside the payload');
    const third = relay.feed(Buffer.from(ok.subarray(40)));
    assert.deepEqual([third.done, third.forward.length], [true, ok.length - 40]);
    assert.equal(relay.atPacketBoundary, true);
  });

  it('forwards a response fed one byte at a time with a trailer in the last chunk', () => {
    const scenario = scenarios.find((s) => s.name === 'text result set with an OK (0xfe) terminator')!;
    const response = packets(1, ...scenario.payloads);
    const chunks = bytesOneByOne(response);
    chunks[chunks.length - 1] = Buffer.concat([chunks[chunks.length - 1], trailer]);
    const relay = relayFor(scenario);
    checkRelay(relay, chunks, response.length, response, trailer, 'byte by byte + trailer');
  });
});
