import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LexOptions } from './byte-lexer.ts';
import { SessionFunction } from './statement-analysis-result.ts';
import { analyzeStatement } from './statement-analysis.ts';

const analyze = (sql: string | Buffer, options: Partial<LexOptions> = {}) =>
  analyzeStatement(typeof sql === 'string' ? Buffer.from(sql) : sql, { charset: 'utf8mb4', ansiQuotes: false, noBackslashEscapes: false, ...options });

test('session SETs of constants become replayable assignments, in every scope spelling', () => {
  const effects = analyze(
    "SET sql_mode = 'ANSI', SESSION time_zone = '+00:00', @@session.autocommit = 1, @@wait_timeout = 60, LOCAL max_join_size = DEFAULT, @@local.tx_read_only := OFF, `lock_wait_timeout` = -5, collation_connection = _utf8mb4'utf8mb4_bin'",
  );
  assert.deepEqual([...effects.variables], [
    ['sql_mode', "@@session.sql_mode = 'ANSI'"],
    ['time_zone', "@@session.time_zone = '+00:00'"],
    ['autocommit', '@@session.autocommit = 1'],
    ['wait_timeout', '@@session.wait_timeout = 60'],
    ['max_join_size', '@@session.max_join_size = DEFAULT'],
    ['tx_read_only', '@@session.tx_read_only = OFF'],
    ['lock_wait_timeout', '@@session.lock_wait_timeout = -5'],
    ['collation_connection', "@@session.collation_connection = _utf8mb4 'utf8mb4_bin'"],
  ]);
  assert.equal(effects.sqlMode, 'ANSI');
  assert.equal(effects.pinReason, undefined);
  assert.equal(effects.untracked, undefined);
  assert.equal(effects.adminReason, undefined);
});

test('comments inside a SET value do not come along into the replayed text', () => {
  assert.equal(analyze("SET time_zone = /* x */ '+01:00' -- y\n").variables.get('time_zone'), "@@session.time_zone = '+01:00'");
});

test('sql_mode: the constant is reported unquoted, numbers and words as written', () => {
  assert.equal(analyze("SET @@sql_mode = 'ANSI_QUOTES,NO_BACKSLASH_ESCAPES'").sqlMode, 'ANSI_QUOTES,NO_BACKSLASH_ESCAPES');
  assert.equal(analyze('SET SESSION sql_mode = TRADITIONAL').sqlMode, 'TRADITIONAL');
  assert.equal(analyze('SET sql_mode = DEFAULT').sqlMode, 'DEFAULT');
  assert.equal(analyze("SET sql_mode = 'a' 'b'").sqlMode, 'ab');
  assert.equal(analyze("SET time_zone = 'UTC'").sqlMode, undefined);
});

test('a SET of a computed value pins instead of being replayed elsewhere', () => {
  for (const sql of ["SET sql_mode = CONCAT(@@sql_mode, ',ANSI')", 'SET sql_mode = @@global.sql_mode', 'SET wait_timeout = 1 + 1', 'SET wait_timeout = (SELECT 5)', 'SET time_zone = w w w']) {
    const effects = analyze(sql);
    assert.equal(effects.variables.size, 0, sql);
    assert.match(effects.pinReason ?? '', /computed value/, sql);
  }
});

test('global scopes are admin statements and not session state, also inside a list', () => {
  for (const sql of ['SET GLOBAL max_connections = 10', 'SET @@global.max_connections = 10', 'SET PERSIST x = 1', 'SET PERSIST_ONLY x = 1', 'SET a = 1, GLOBAL b = 2', 'SET @@GLOBAL . b = 2', 'SET GLOBAL TRANSACTION ISOLATION LEVEL READ COMMITTED']) {
    const effects = analyze(sql);
    assert.match(effects.adminReason ?? '', /SET GLOBAL/, sql);
    assert.equal(effects.variables.has('max_connections') || effects.variables.has('b'), false, sql);
  }
});

test('SET PASSWORD, SET DEFAULT ROLE and SET sql_log_bin are for admins', () => {
  assert.equal(analyze("SET PASSWORD = PASSWORD('x')").adminReason, 'SET PASSWORD');
  assert.equal(analyze("SET PASSWORD FOR 'bob'@'%' = 'hash'").adminReason, 'SET PASSWORD');
  assert.equal(analyze('SET DEFAULT ROLE r FOR bob').adminReason, 'SET DEFAULT ROLE');
  assert.equal(analyze('SET sql_log_bin = 0').adminReason, 'SET sql_log_bin');
  assert.equal(analyze('SET SESSION SQL_LOG_BIN = 0').adminReason, 'SET sql_log_bin');
});

test('SET NAMES, CHARACTER SET and CHARSET are tracked with the character set they select', () => {
  const names = analyze("SET NAMES 'gbk' COLLATE 'gbk_bin'");
  assert.equal(names.names, "NAMES 'gbk' COLLATE 'gbk_bin'");
  assert.equal(names.namesCharset, 'gbk');
  assert.equal(analyze('SET NAMES utf8mb4').names, 'NAMES utf8mb4');
  assert.equal(analyze('SET CHARACTER SET latin1').names, 'CHARACTER SET latin1');
  assert.equal(analyze('SET CHARACTER SET latin1').namesCharset, 'latin1');
  assert.equal(analyze('SET CHARSET `Big5`').namesCharset, 'big5');
  assert.equal(analyze('SET character_set_client = sjis').namesCharset, 'sjis');
  assert.equal(analyze('SET NAMES @x').pinReason, 'complex SET NAMES');
});

test('SET @x = constant is replayed by the session; other values pin', () => {
  const effects = analyze("SET @x = 1, @`Y z` := 'a', @'q' = -2.5");
  assert.deepEqual([...effects.userVariables], [
    ['x', '@x = 1'],
    ['y z', "@`Y z` = 'a'"],
    ['q', "@'q' = -2.5"],
  ]);
  assert.equal(effects.pinReason, undefined);
  assert.equal(effects.readsUserVariables, false);
  const computed = analyze('SET @x = @y + 1');
  assert.equal(computed.userVariables.size, 0);
  assert.equal(computed.pinReason, 'user variable');
  assert.equal(computed.readsUserVariables, true);
});

test('SET TRANSACTION and SET ROLE pin; one-shot variables pin', () => {
  assert.equal(analyze('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE').pinReason, 'SET TRANSACTION');
  assert.equal(analyze('SET SESSION TRANSACTION READ ONLY').pinReason, 'SET TRANSACTION');
  assert.equal(analyze('SET ROLE admin').pinReason, 'SET ROLE');
  assert.equal(analyze('SET insert_id = 5').pinReason, 'SET insert_id');
  const lastInsertId = analyze('SET last_insert_id = 5');
  assert.equal(lastInsertId.pinReason, 'SET last_insert_id');
  assert.equal(lastInsertId.sessionFunctions, SessionFunction.LAST_INSERT_ID_SET);
});

test('SET STATEMENT … FOR classifies the inner statement; its settings last one statement', () => {
  const effects = analyze('SET STATEMENT max_statement_time = 1 FOR SELECT * FROM other.t');
  assert.deepEqual(effects.kinds, ['SELECT']);
  assert.deepEqual(effects.schemasReferenced, ['other']);
  assert.equal(effects.variables.size, 0);
  assert.equal(effects.untracked, undefined);
  assert.equal(analyze("SET STATEMENT sql_mode = '' FOR CREATE USER bob").adminReason, 'CREATE USER');
  assert.equal(analyze('SET STATEMENT sql_log_bin = 0 FOR SELECT 1').adminReason, 'SET sql_log_bin');
  assert.equal(analyze('SET STATEMENT a = 1 FOR SET @x = 1').userVariables.get('x'), '@x = 1');
});

test('structured variables and unparsable SETs leave the connection untracked', () => {
  assert.equal(analyze('SET hot_cache.key_buffer_size = 1').untracked, 'SET of a structured variable');
  assert.equal(analyze('SET = 1').untracked, 'unrecognised SET');
});

test('the quadratic SET regression: a long run of words in a SET value is refused as computed, not replayed', () => {
  const effects = analyze(`SET @@session.sql_mode = ${'w '.repeat(1000)}`);
  assert.equal(effects.variables.size, 0);
  assert.match(effects.pinReason ?? '', /computed value/);
});
