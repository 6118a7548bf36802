import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyReplacements } from '../sql/rewrite.ts';
import { analyzeStatement } from '../sql/statement-analysis.ts';
import type { ProcessRow } from './processlist.ts';
import { applicableProcessListTables, processListDerivedTable, processListReplacements } from './processlist-table.ts';

const options = { charset: 'utf8mb4', ansiQuotes: false, noBackslashEscapes: false } as const;
const row: ProcessRow = { id: 16777217, user: "o'brien", host: '127.0.0.1:5000', db: null, command: 'Query', timeMs: 2500, state: 'Executing', info: 'SELECT \'\\\' é' };

/** The statement as the backend receives it, with `derived` where each applicable reference was. */
function rewrite(sql: string, schema: string | undefined, derived = '(D)'): string {
  const payload = Buffer.concat([Buffer.from([0x03]), Buffer.from(sql)]);
  const analysis = analyzeStatement(payload.subarray(1), options);
  const tables = applicableProcessListTables(analysis.processListTables, schema);
  return applyReplacements(payload, 1, processListReplacements(tables, derived)).subarray(1).toString();
}

test('the reference becomes the derived table, named after the table as written unless an alias follows', () => {
  assert.equal(rewrite('SELECT ID FROM information_schema.PROCESSLIST WHERE ID = 1', 'app'), 'SELECT ID FROM (D) AS `PROCESSLIST` WHERE ID = 1');
  assert.equal(rewrite('SELECT processlist.ID FROM information_schema.processlist', 'app'), 'SELECT processlist.ID FROM (D) AS `processlist`');
  assert.equal(rewrite('SELECT p.ID FROM information_schema.PROCESSLIST p', 'app'), 'SELECT p.ID FROM (D) p');
  assert.equal(rewrite('SELECT p.ID FROM information_schema.PROCESSLIST AS p', 'app'), 'SELECT p.ID FROM (D) AS p');
});

test("an unqualified PROCESSLIST is information_schema's only when that is the session's schema", () => {
  assert.equal(rewrite('SELECT * FROM PROCESSLIST', 'app'), 'SELECT * FROM PROCESSLIST');
  assert.equal(rewrite('SELECT * FROM PROCESSLIST', 'INFORMATION_SCHEMA'), 'SELECT * FROM (D) AS `PROCESSLIST`');
});

test("the derived table reads the real table's columns, then one row of literals per session, every string escaped", () => {
  const sql = processListDerivedTable([row]);
  assert.equal(
    sql,
    "(SELECT * FROM information_schema.PROCESSLIST WHERE 0 UNION ALL SELECT 16777217, _utf8mb4 X'6f27627269656e', _utf8mb4'127.0.0.1:5000', NULL, _utf8mb4'Query', 2, _utf8mb4'Executing', " +
      `_utf8mb4 X'${Buffer.from("SELECT '\\' é").toString('hex')}', 2500, 0, 0, 0, 0, 0, 0, 0, X'${Buffer.from("SELECT '\\' é").toString('hex')}', 0)`,
  );
  assert.equal(processListDerivedTable([]), '(SELECT * FROM information_schema.PROCESSLIST WHERE 0)');
  // Nothing of a session's text is left outside a literal.
  assert.doesNotMatch(processListDerivedTable([{ ...row, info: "x'); DROP TABLE t; --" }]), /DROP/);
});
