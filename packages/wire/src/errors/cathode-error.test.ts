import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CathodeError, CathodeErrorCode, protocolViolation, wireErrorFor } from './cathode-error.ts';
import { SqlError } from './sql-error.ts';

describe('CathodeError', () => {
  it('carries a code and the cause', () => {
    const cause = new Error('socket reset');
    const error = new CathodeError(CathodeErrorCode.BACKEND_LOST, 'lost backend', { cause });
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'CathodeError');
    assert.equal(error.code, 'CATHODE_BACKEND_LOST');
    assert.equal(error.cause, cause);
  });

  it('protocolViolation() makes a CATHODE_PROTOCOL_VIOLATION', () => {
    const error = protocolViolation('bad');
    assert.ok(error instanceof CathodeError);
    assert.deepEqual([error.code, error.message], ['CATHODE_PROTOCOL_VIOLATION', 'bad']);
  });
});

describe('wireErrorFor', () => {
  const table: Array<[string, number, string, string]> = [
    ['CATHODE_PROTOCOL_VIOLATION', 1835, 'HY000', 'Malformed communication packet'],
    ['CATHODE_PACKET_TOO_LARGE', 1153, '08S01', "Got a packet bigger than 'max_allowed_packet' bytes"],
    ['CATHODE_PACKETS_OUT_OF_ORDER', 1156, '08S01', 'Got packets out of order'],
    ['CATHODE_UNCOMPRESS_FAILED', 1157, '08S01', "Couldn't uncompress communication packet"],
    ['CATHODE_BACKEND_UNAVAILABLE', 1429, 'HY000', 'Unable to connect to foreign data source: detail'],
    ['CATHODE_BACKEND_LOST', 1317, '70100', "Query execution was interrupted: lost the connection to backend 'unknown'"],
    ['CATHODE_BACKEND_AUTH_FAILED', 1429, 'HY000', 'Unable to connect to foreign data source: detail'],
    ['CATHODE_TIMEOUT', 1159, '08S01', 'Got timeout reading communication packets'],
    ['CATHODE_SHUTTING_DOWN', 1053, '08S01', 'Server shutdown in progress'],
    ['CATHODE_INTERNAL', 1105, 'HY000', 'detail'],
  ];

  it('covers every code', () => {
    assert.deepEqual(table.map(([code]) => code).sort(), Object.values(CathodeErrorCode).sort());
  });

  for (const [code, errno, sqlState, message] of table) {
    it(`maps ${code} to ${errno}`, () => {
      const error = wireErrorFor(new CathodeError(code as CathodeErrorCode, 'detail'));
      assert.ok(error instanceof SqlError);
      assert.deepEqual([error.errno, error.sqlState, error.message], [errno, sqlState, message]);
    });
  }

  it('passes a SqlError through unchanged', () => {
    const error = new SqlError(1146, '42S02', "Table 'db.t' doesn't exist");
    assert.equal(wireErrorFor(error), error);
  });

  it('maps anything else to ER_UNKNOWN_ERROR without leaking its message', () => {
    for (const thrown of [new TypeError('secret detail'), 'a string', undefined]) {
      const error = wireErrorFor(thrown);
      assert.deepEqual([error.errno, error.sqlState, error.message], [1105, 'HY000', 'internal error']);
    }
  });
});
