import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeStatement } from './statement-analysis.ts';

const analyze = (sql: string) => analyzeStatement(Buffer.from(sql), { charset: 'utf8mb4', ansiQuotes: false, noBackslashEscapes: false });
const kill = (sql: string) => {
  const { kills } = analyze(sql);
  assert.equal(kills.length, 1, sql);
  const { statementIndex, ...rest } = kills[0];
  return rest;
};

test('KILL by connection id, in every form MariaDB accepts (HARD is the default)', () => {
  assert.deepEqual(kill('KILL 42'), { target: { connectionId: 42n }, queryOnly: false, hard: true });
  assert.deepEqual(kill('kill connection 9'), { target: { connectionId: 9n }, queryOnly: false, hard: true });
  assert.deepEqual(kill('KILL QUERY 7'), { target: { connectionId: 7n }, queryOnly: true, hard: true });
  assert.deepEqual(kill('KILL HARD 5'), { target: { connectionId: 5n }, queryOnly: false, hard: true });
  assert.deepEqual(kill('KILL SOFT 5'), { target: { connectionId: 5n }, queryOnly: false, hard: false });
  assert.deepEqual(kill('KILL SOFT CONNECTION 5'), { target: { connectionId: 5n }, queryOnly: false, hard: false });
  assert.deepEqual(kill('KILL HARD QUERY 5'), { target: { connectionId: 5n }, queryOnly: true, hard: true });
  assert.deepEqual(kill('KILL /* c */ 18446744073709551615'), { target: { connectionId: 18446744073709551615n }, queryOnly: false, hard: true });
  for (const sql of ['KILL 42', 'KILL QUERY 7', 'KILL SOFT 5']) assert.equal(analyze(sql).adminReason, undefined, sql);
});

test('KILL QUERY ID names a query id, not a connection', () => {
  assert.deepEqual(kill('KILL QUERY ID 77'), { target: { queryId: 77n }, queryOnly: true, hard: true });
  assert.deepEqual(kill('KILL SOFT QUERY ID 77'), { target: { queryId: 77n }, queryOnly: true, hard: false });
});

test('KILL USER reaches other accounts: reported, and for admins only', () => {
  assert.deepEqual(kill('KILL USER bob'), { target: { user: 'bob', host: undefined }, queryOnly: false, hard: true });
  assert.deepEqual(kill("KILL HARD USER 'bob'@'%'"), { target: { user: 'bob', host: '%' }, queryOnly: false, hard: true });
  assert.deepEqual(kill('KILL SOFT QUERY USER bob@localhost'), { target: { user: 'bob', host: 'localhost' }, queryOnly: true, hard: false });
  assert.deepEqual(kill('KILL CONNECTION USER CURRENT_USER()'), { target: { user: 'CURRENT_USER', host: undefined }, queryOnly: false, hard: true });
  assert.equal(analyze('KILL USER bob').adminReason, 'KILL USER');
});

test('a KILL of a computed id cannot be mapped to a Cathode connection and is for admins', () => {
  for (const sql of ['KILL @x', 'KILL 1 + 1', 'KILL (SELECT 1)', 'KILL', 'KILL 0x10']) {
    const effects = analyze(sql);
    assert.equal(effects.kills.length, 0, sql);
    assert.equal(effects.adminReason, 'KILL of a computed id', sql);
  }
});

test('every KILL of a multi-statement text is reported with its statement index', () => {
  const effects = analyze('SELECT 41; KILL 5; KILL QUERY 6; SELECT 42');
  assert.deepEqual(
    effects.kills.map((k) => [k.statementIndex, k.target]),
    [
      [1, { connectionId: 5n }],
      [2, { connectionId: 6n }],
    ],
  );
  assert.deepEqual(effects.kinds, ['SELECT', 'KILL', 'KILL', 'SELECT']);
});

test('KILL inside dynamic SQL cannot be answered by Cathode and is refused for non-admins', () => {
  assert.equal(analyze("PREPARE s FROM 'KILL 5'").adminReason, 'KILL inside another statement');
  assert.equal(analyze("EXECUTE IMMEDIATE 'KILL 5'").adminReason, 'KILL inside another statement');
});
