import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyReplacements, connectionIdReplacements } from './rewrite.ts';
import { analyzeStatement } from './statement-analysis.ts';

const options = { charset: 'utf8mb4', ansiQuotes: false, noBackslashEscapes: false } as const;
const query = (sql: string) => Buffer.concat([Buffer.from([0x03]), Buffer.from(sql)]);

/** The COM_QUERY payload with each CONNECTION_ID() call made the id, as the session sends it. */
function withConnectionId(sql: string, id: number): string {
  const payload = query(sql);
  const analysis = analyzeStatement(payload.subarray(1), options);
  const rewritten = applyReplacements(payload, 1, connectionIdReplacements(analysis.connectionIdCalls, id));
  assert.equal(rewritten[0], 0x03, 'the command byte stays');
  return rewritten.subarray(1).toString();
}

test('CONNECTION_ID() in expressions becomes the session id literal', () => {
  assert.equal(withConnectionId('SELECT CONNECTION_ID() + 0', 16777217), 'SELECT 16777217 + 0');
  assert.equal(withConnectionId('SELECT * FROM t WHERE id = connection_id ( ) LIMIT 1', 42), 'SELECT * FROM t WHERE id = 42 LIMIT 1');
  assert.equal(withConnectionId('INSERT INTO t (a, b) VALUES (CONNECTION_ID(), "é CONNECTION_ID()")', 7), 'INSERT INTO t (a, b) VALUES (7, "é CONNECTION_ID()")');
  assert.equal(withConnectionId('SELECT CONNECTION_ID(); SELECT 1, CONNECTION_ID()', 9), 'SELECT 9; SELECT 1, 9');
});

test('definitions and strings keep CONNECTION_ID() as written', () => {
  for (const sql of ['CREATE VIEW v AS SELECT CONNECTION_ID() AS c', "SELECT 'CONNECTION_ID()'", 'SELECT `CONNECTION_ID()` FROM t']) {
    assert.equal(withConnectionId(sql, 5), sql);
  }
});

test('replacements are made in text order whatever order they come in, with the bytes around them kept', () => {
  const payload = Buffer.from('\x03abcdefgh', 'latin1');
  const out = applyReplacements(payload, 1, [
    { start: 6, end: 8, text: 'XY' },
    { start: 0, end: 1, text: '' },
    { start: 2, end: 4, text: '1234' },
  ]);
  assert.equal(out.toString('latin1'), '\x03b1234efXY');
  assert.equal(applyReplacements(payload, 1, []).toString('latin1'), '\x03abcdefgh');
  assert.throws(() => applyReplacements(payload, 1, [{ start: 0, end: 3, text: '' }, { start: 2, end: 4, text: '' }]), RangeError);
  assert.throws(() => applyReplacements(payload, 1, [{ start: 5, end: 9, text: '' }]), RangeError);
});
