import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statementEffects } from './statement-effects.ts';

test('plain reads and writes change nothing and pin nothing', () => {
  for (const sql of ['SELECT c FROM sbtest1 WHERE id = 5', 'UPDATE t SET a = 1 WHERE id = 2', 'INSERT INTO t VALUES (1)', 'BEGIN', 'COMMIT']) {
    const effects = statementEffects(sql);
    assert.equal(effects.pinReason, undefined, sql);
    assert.equal(effects.variables.size, 0, sql);
    assert.equal(effects.schema, undefined, sql);
  }
});

test('USE records the schema, quoted or not', () => {
  assert.equal(statementEffects('USE demo').schema, 'demo');
  assert.equal(statementEffects('use `my db`').schema, 'my db');
});

test('session SETs of constants become replayable assignments, in every scope spelling', () => {
  const effects = statementEffects("SET sql_mode = 'ANSI', SESSION time_zone = '+00:00', @@session.autocommit = 1, @@wait_timeout = 60, LOCAL max_join_size = DEFAULT");
  assert.deepEqual([...effects.variables], [
    ['sql_mode', "@@session.sql_mode = 'ANSI'"],
    ['time_zone', "@@session.time_zone = '+00:00'"],
    ['autocommit', '@@session.autocommit = 1'],
    ['wait_timeout', '@@session.wait_timeout = 60'],
    ['max_join_size', '@@session.max_join_size = DEFAULT'],
  ]);
  assert.equal(effects.pinReason, undefined);
});

test('global SETs are not session state', () => {
  assert.equal(statementEffects('SET GLOBAL max_connections = 10').variables.size, 0);
  assert.equal(statementEffects('SET @@global.max_connections = 10').variables.size, 0);
});

test('a SET of a computed value pins instead of being replayed elsewhere', () => {
  const effects = statementEffects("SET sql_mode = CONCAT(@@sql_mode, ',ANSI')");
  assert.equal(effects.variables.size, 0);
  assert.match(effects.pinReason ?? '', /sql_mode/);
});

test('SET NAMES is tracked as the character set', () => {
  assert.equal(statementEffects('SET NAMES utf8mb4 COLLATE utf8mb4_bin').names, 'NAMES utf8mb4 COLLATE utf8mb4_bin');
  assert.equal(statementEffects('SET CHARACTER SET latin1').names, 'CHARACTER SET latin1');
});

test('state that lives on one connection pins the session', () => {
  const pins: Array<[string, string]> = [
    ['SET @x = 1', 'user variable'],
    ['SELECT @x := 5', 'user variable'],
    ['SELECT a INTO @v FROM t', 'user variable'],
    ['SELECT GET_LOCK("l", 10)', 'GET_LOCK'],
    ['LOCK TABLES t WRITE', 'LOCK TABLES'],
    ['CREATE TEMPORARY TABLE tmp (a INT)', 'temporary table'],
    ["PREPARE s FROM 'SELECT 1'", 'SQL prepared statement'],
    ['SET TRANSACTION ISOLATION LEVEL SERIALIZABLE', 'SET TRANSACTION'],
  ];
  for (const [sql, reason] of pins) assert.equal(statementEffects(sql).pinReason, reason, sql);
  assert.equal(statementEffects('UNLOCK TABLES').unlocksTables, true);
});

test('a string that merely mentions @x or GET_LOCK does not pin', () => {
  assert.equal(statementEffects("SELECT '@x', 'GET_LOCK(1)'").pinReason, undefined);
});

test('a multi-statement query that changes session state pins', () => {
  assert.equal(statementEffects("SET sql_mode = ''; SELECT 1").pinReason, 'multi-statement query changing session state');
  assert.equal(statementEffects('SELECT 1; SELECT 2').pinReason, undefined);
});

test('KILL statements are recognised with their target', () => {
  assert.deepEqual(statementEffects('KILL 42').kill, { connectionId: 42, queryOnly: false });
  assert.deepEqual(statementEffects('kill query 7').kill, { connectionId: 7, queryOnly: true });
  assert.deepEqual(statementEffects('KILL CONNECTION 9').kill, { connectionId: 9, queryOnly: false });
  assert.equal(statementEffects('KILL USER bob').kill, undefined);
});
