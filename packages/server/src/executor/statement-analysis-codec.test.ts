import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type LexOptions, analyzeStatement } from '@cathode/router';
import { decodeStatementAnalysis, encodeStatementAnalysis } from './statement-analysis-codec.ts';

const UTF8: LexOptions = { charset: 'utf8mb4', ansiQuotes: false, noBackslashEscapes: false };

// Statements whose analyses fill every kind of field: Maps, lists, bigints, nested objects, undefined.
const TEXTS = [
  'SELECT 1',
  "SET NAMES 'gbk', @@session.sql_mode = 'ANSI_QUOTES', @a = 1, time_zone = '+00:00'",
  'USE other; SELECT * FROM mysql.user; CREATE TEMPORARY TABLE t (id INT); DROP TABLE t',
  'KILL QUERY 18446744073709551615',
  "KILL USER 'bob'@'localhost'",
  'SELECT LAST_INSERT_ID() AS id',
  'LOCK TABLES t WRITE; CALL p(); SELECT SQL_CALC_FOUND_ROWS * FROM t; SELECT GET_LOCK("x", 1)',
  "LOAD DATA LOCAL INFILE 'f' INTO TABLE t",
  'SHOW FULL PROCESSLIST',
];

test('an analysis decoded from its encoding equals the original', () => {
  for (const text of TEXTS) {
    const analysis = analyzeStatement(Buffer.from(text), UTF8);
    assert.deepStrictEqual(decodeStatementAnalysis(encodeStatementAnalysis(analysis)), analysis, text);
  }
});

test('Maps stay Maps and connection ids stay bigints', () => {
  const sets = decodeStatementAnalysis(encodeStatementAnalysis(analyzeStatement(Buffer.from("SET time_zone = '+00:00', @a = 1"), UTF8)));
  assert.ok(sets.variables instanceof Map && sets.variables.has('time_zone'));
  assert.ok(sets.userVariables instanceof Map && sets.userVariables.has('a'));
  const kill = decodeStatementAnalysis(encodeStatementAnalysis(analyzeStatement(Buffer.from('KILL 7'), UTF8)));
  assert.deepStrictEqual(kill.kills[0].target, { connectionId: 7n });
});

test('the encoding owns its buffer, so transferring it detaches nothing else', () => {
  const first = encodeStatementAnalysis(analyzeStatement(Buffer.from('SELECT 1'), UTF8));
  const second = encodeStatementAnalysis(analyzeStatement(Buffer.from('SELECT 2; SELECT 3'), UTF8));
  assert.equal(first.byteOffset, 0);
  assert.equal(first.buffer.byteLength, first.length);
  structuredClone(first, { transfer: [first.buffer as ArrayBuffer] });
  assert.equal(decodeStatementAnalysis(second).statementCount, 2);
});
