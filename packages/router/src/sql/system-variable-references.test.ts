import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeStatement } from './statement-analysis.ts';

const options = { charset: 'utf8mb4', ansiQuotes: false, noBackslashEscapes: false };
const schemas = (sql: string) => analyzeStatement(Buffer.from(sql), options).schemasReferenced;

test('regression: @@session.name and @@global.name are variables, not names in schemas "session" and "global"', () => {
  assert.deepEqual(schemas('SELECT @@session.sql_mode AS m, @@global.max_connections, @@GLOBAL . wait_timeout, @@x'), []);
});

test('a system variable does not hide a schema-qualified name after it', () => {
  assert.deepEqual(schemas('SELECT @@session.sql_mode FROM mysql.user'), ['mysql']);
  assert.deepEqual(schemas('SELECT @@x, mysql.user.authentication_string FROM t'), ['mysql']);
});
