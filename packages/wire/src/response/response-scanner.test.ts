import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandByte } from '../constants/command-byte.ts';
import { ServerStatus } from '../constants/server-status.ts';
import { assertCathodeError, cat, columnPayload, eofPayload, errPayload, hex, okPayload, str, textRowPayload } from '../testing/packet-builders.ts';
import { type ResponseScenario, hugeRowScenario, scenarios } from '../testing/response-streams.ts';
import { PACKET_HEAD_LENGTH, ResponseScanner } from './response-scanner.ts';
import { ResponseShape, responseShapeOf } from './response-shape.ts';

/** Feeds each payload (as a head of at most `headLength` bytes) and checks the response ends exactly at the last one. */
function scan(scenario: ResponseScenario, headLength: number): ResponseScanner {
  const scanner = new ResponseScanner(scenario.shape, scenario.deprecateEof, scenario.cacheMetadata);
  scenario.payloads.forEach((payload, i) => {
    assert.equal(scanner.done, false, `not done before packet ${i}`);
    const ended = scanner.packet(payload.subarray(0, headLength), payload.length);
    assert.equal(ended, i === scenario.payloads.length - 1, `packet ${i} of ${scenario.payloads.length} ends the response?`);
  });
  assert.equal(scanner.done, true);
  assert.equal(scanner.failed, scenario.failed, 'failed');
  assert.equal(scanner.statusFlags, scenario.statusFlags, 'statusFlags');
  assert.deepEqual(scanner.prepareOk, scenario.prepareOk);
  return scanner;
}

describe('ResponseScanner', () => {
  for (const scenario of [...scenarios, hugeRowScenario(false), hugeRowScenario(true), hugeRowScenario(false, 0), hugeRowScenario(true, 0)]) {
    it(`${scenario.name} (deprecateEof=${scenario.deprecateEof}): ends exactly at its last packet`, () => {
      scan(scenario, Number.POSITIVE_INFINITY);
      scan(scenario, PACKET_HEAD_LENGTH);
    });
  }

  it('a response with no packets (COM_STMT_CLOSE) is done from the start', () => {
    const scanner = new ResponseScanner(ResponseShape.NONE, false);
    assert.equal(scanner.done, true);
    assert.equal(scanner.failed, false);
  });

  it('LOCAL INFILE: waits for the file after 0xfb, then ends on the OK', () => {
    const scanner = new ResponseScanner(ResponseShape.RESULT, true);
    assert.equal(scanner.awaitingLocalInfile, false);
    assert.equal(scanner.packet(cat([0xfb], str('/tmp/data.csv')), 14), false);
    assert.equal(scanner.awaitingLocalInfile, true);
    assert.equal(scanner.done, false);
    scanner.localInfileSent();
    assert.equal(scanner.awaitingLocalInfile, false);
    assert.equal(scanner.done, false);
    const ok = okPayload({ affectedRows: 3, status: ServerStatus.SERVER_STATUS_IN_TRANS, info: 'Records: 3  Deleted: 0  Skipped: 0  Warnings: 0' });
    assert.equal(scanner.packet(ok.subarray(0, PACKET_HEAD_LENGTH), ok.length), true);
    assert.equal(scanner.statusFlags, ServerStatus.SERVER_STATUS_IN_TRANS);
    assert.equal(scanner.failed, false);
  });

  it('a LOCAL INFILE request for a statement that is not LOAD DATA LOCAL is a protocol violation', () => {
    const scanner = new ResponseScanner(ResponseShape.RESULT_WITHOUT_LOCAL_INFILE, false);
    assertCathodeError(() => scanner.packet(cat([0xfb], str('/etc/passwd')), 12), 'CATHODE_PROTOCOL_VIOLATION');
  });

  it("an OK's affected rows and last insert id, exact beyond 2^53", () => {
    const scanner = new ResponseScanner(ResponseShape.RESULT_WITHOUT_LOCAL_INFILE, true);
    const ok = okPayload({ affectedRows: 300, lastInsertId: 2n ** 63n - 1n });
    assert.equal(scanner.packet(ok, ok.length), true);
    assert.deepEqual([scanner.affectedRows, scanner.lastInsertId, scanner.rows], [300, 2n ** 63n - 1n, -1]);
    const small = new ResponseScanner(ResponseShape.RESULT, true);
    const okSmall = okPayload({ affectedRows: 70000, lastInsertId: 0x1000000 });
    small.packet(okSmall, okSmall.length);
    assert.deepEqual([small.affectedRows, small.lastInsertId], [70000, 0x1000000]);
  });

  it('counts the rows of the last result set', () => {
    for (const deprecateEof of [false, true]) {
      const scanner = new ResponseScanner(ResponseShape.RESULT, deprecateEof);
      const end = deprecateEof ? okPayload({}, 0xfe) : eofPayload();
      const payloads = [hex('01'), columnPayload('a'), ...(deprecateEof ? [] : [eofPayload()]), textRowPayload('1'), textRowPayload('2'), textRowPayload(null), end];
      payloads.forEach((payload) => scanner.packet(payload, payload.length));
      assert.equal(scanner.done, true);
      assert.deepEqual([scanner.rows, scanner.affectedRows], [3, 0]);
    }
  });

  it('LOCAL INFILE: the server may refuse the file with ERR', () => {
    const scanner = new ResponseScanner(ResponseShape.RESULT, false);
    scanner.packet(cat([0xfb], str('x')), 2);
    scanner.localInfileSent();
    const err = errPayload(1148, '42000', 'not allowed');
    assert.equal(scanner.packet(err, err.length), true);
    assert.equal(scanner.failed, true);
  });

  it('LOCAL INFILE: another statement may follow (SERVER_MORE_RESULTS_EXISTS)', () => {
    const scanner = new ResponseScanner(ResponseShape.RESULT, false);
    scanner.packet(hex('fb 78'), 2);
    scanner.localInfileSent();
    const more = okPayload({ status: ServerStatus.SERVER_MORE_RESULTS_EXISTS });
    assert.equal(scanner.packet(more, more.length), false);
    const last = okPayload({ status: 0x0002 });
    assert.equal(scanner.packet(last, last.length), true);
  });

  it('localInfileSent() does nothing when no file was requested', () => {
    const scanner = new ResponseScanner(ResponseShape.RESULT, false);
    scanner.localInfileSent();
    assert.equal(scanner.packet(hex('01'), 1), false);
    assert.equal(scanner.done, false);
  });

  it('0xfb is a column count prefix error, not LOCAL INFILE, for a binary result', () => {
    const scanner = new ResponseScanner(ResponseShape.BINARY_RESULT, false);
    assertCathodeError(() => scanner.packet(hex('fb'), 1), 'CATHODE_PROTOCOL_VIOLATION');
  });

  it('an EOF-sized 0xfe packet ends a FIELD_LIST only while it is short', () => {
    const scanner = new ResponseScanner(ResponseShape.FIELD_LIST, false);
    assert.equal(scanner.packet(hex('fe 0100000000000000 00'), 10), false);
    assert.equal(scanner.packet(hex('fe 0000 0200'), 5), true);
    assert.equal(scanner.statusFlags, 2);
  });

  it('a truncated terminator is a protocol violation', () => {
    const scanner = new ResponseScanner(ResponseShape.OK, false);
    assertCathodeError(() => scanner.packet(hex('00 00 00 02'), 4), 'CATHODE_PROTOCOL_VIOLATION');
  });
});

describe('responseShapeOf', () => {
  it('maps commands to response shapes', () => {
    assert.equal(responseShapeOf(CommandByte.COM_QUERY), ResponseShape.RESULT);
    assert.equal(responseShapeOf(CommandByte.COM_STMT_EXECUTE), ResponseShape.BINARY_RESULT);
    assert.equal(responseShapeOf(CommandByte.COM_STMT_PREPARE), ResponseShape.PREPARE);
    assert.equal(responseShapeOf(CommandByte.COM_FIELD_LIST), ResponseShape.FIELD_LIST);
    assert.equal(responseShapeOf(CommandByte.COM_STMT_FETCH), ResponseShape.ROWS);
    assert.equal(responseShapeOf(CommandByte.COM_STATISTICS), ResponseShape.SINGLE);
    assert.equal(responseShapeOf(CommandByte.COM_STMT_CLOSE), ResponseShape.NONE);
    assert.equal(responseShapeOf(CommandByte.COM_STMT_SEND_LONG_DATA), ResponseShape.NONE);
    assert.equal(responseShapeOf(CommandByte.COM_QUIT), ResponseShape.NONE);
    assert.equal(responseShapeOf(CommandByte.COM_PING), ResponseShape.OK);
    assert.equal(responseShapeOf(CommandByte.COM_INIT_DB), ResponseShape.OK);
    assert.equal(responseShapeOf(CommandByte.COM_STMT_RESET), ResponseShape.OK);
    assert.equal(responseShapeOf(CommandByte.COM_SET_OPTION), ResponseShape.OK);
  });
});
