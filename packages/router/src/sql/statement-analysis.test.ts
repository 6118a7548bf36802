import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LexOptions } from './byte-lexer.ts';
import { analyzeStatement, type WorkMeter } from './statement-analysis.ts';

const UTF8: LexOptions = { charset: 'utf8mb4', ansiQuotes: false, noBackslashEscapes: false };
const analyze = (sql: string | Buffer, options: Partial<LexOptions> = {}) => analyzeStatement(typeof sql === 'string' ? Buffer.from(sql) : sql, { ...UTF8, ...options });

test('plain reads and writes change nothing, pin nothing and are tracked', () => {
  for (const sql of ['SELECT c FROM sbtest1 WHERE id = 5', 'UPDATE t SET a = 1 WHERE id = 2', 'INSERT INTO t VALUES (1)', 'BEGIN', 'COMMIT']) {
    const effects = analyze(sql);
    assert.equal(effects.pinReason, undefined, sql);
    assert.equal(effects.untracked, undefined, sql);
    assert.equal(effects.adminReason, undefined, sql);
    assert.equal(effects.variables.size, 0, sql);
    assert.equal(effects.schema, undefined, sql);
    assert.deepEqual(effects.schemasReferenced, [], sql);
  }
});

test('multi-statement texts: count, kinds and byte ranges of each statement; empty statements do not count', () => {
  const sql = "SELECT ';' ; ; insert INTO t VALUES (1);\n  (SELECT 2) -- c\n;WITH x AS (SELECT 1) SELECT * FROM x;";
  const effects = analyze(sql);
  assert.equal(effects.statementCount, 4);
  assert.deepEqual(effects.kinds, ['SELECT', 'INSERT', 'SELECT', 'WITH']);
  const texts = [];
  for (let i = 0; i < effects.statementRanges.length; i += 2) texts.push(sql.slice(effects.statementRanges[i], effects.statementRanges[i + 1]));
  assert.deepEqual(texts, ["SELECT ';'", 'insert INTO t VALUES (1)', '(SELECT 2)', 'WITH x AS (SELECT 1) SELECT * FROM x']);
  assert.equal(analyze('').statementCount, 0);
  assert.equal(analyze(' ; -- nothing').statementCount, 0);
});

test('USE records the schema (the last one), quoted or not', () => {
  assert.equal(analyze('USE demo').schema, 'demo');
  assert.equal(analyze('use `my db`').schema, 'my db');
  assert.equal(analyze('USE a; SELECT 1; USE b').schema, 'b');
  assert.deepEqual(analyze('USE a; USE b').schemasReferenced, ['a', 'b']);
});

test('the statements after SET NAMES are lexed in the new character set', () => {
  const gbkInjection = Buffer.concat([Buffer.from("SELECT '"), Buffer.from([0xbf, 0x5c]), Buffer.from("' ; SET GLOBAL x = 1 ; SELECT '")]);
  // In utf8mb4 the whole tail is one string; after SET NAMES gbk the quote ends it and SET GLOBAL is code.
  assert.equal(analyze(gbkInjection).adminReason, undefined);
  assert.equal(analyze(gbkInjection, { charset: 'gbk' }).adminReason, 'SET GLOBAL');
  const switched = analyze(Buffer.concat([Buffer.from('SET NAMES gbk; '), gbkInjection]));
  assert.equal(switched.namesCharset, 'gbk');
  assert.equal(switched.adminReason, 'SET GLOBAL');
  assert.equal(analyze(Buffer.concat([Buffer.from("SET character_set_client = 'gbk'; "), gbkInjection])).adminReason, 'SET GLOBAL');
});

test('the statements after SET sql_mode are lexed with its ANSI_QUOTES and NO_BACKSLASH_ESCAPES', () => {
  const tail = "SELECT 'a\\' ; SET GLOBAL x = 1 ; SELECT '";
  assert.equal(analyze(tail).adminReason, undefined);
  assert.equal(analyze(`SET sql_mode = 'NO_BACKSLASH_ESCAPES'; ${tail}`).adminReason, 'SET GLOBAL');
  assert.equal(analyze(`SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'; SET sql_mode = ''; ${tail}`).adminReason, undefined);
  assert.deepEqual(analyze('SET sql_mode = ANSI; SELECT * FROM "mysql"."user"').schemasReferenced, ['mysql']);
  assert.deepEqual(analyze('SELECT * FROM "mysql"."user"').schemasReferenced, []);
});

test('a sql_mode or character set Cathode cannot read from the text is reported, and statements after it are for admins', () => {
  const cases: Array<[string, string]> = [
    ["SET sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')", 'SET sql_mode to a computed value'],
    ['SET @@session.character_set_client = @cs', 'SET character_set_client to a computed value'],
    ['SET NAMES @cs', 'SET NAMES to a computed value'],
    ['SET NAMES DEFAULT', 'SET NAMES DEFAULT'],
    ['SET sql_mode = DEFAULT', 'SET sql_mode = DEFAULT'],
    ['CALL p()', 'CALL'],
    ['EXECUTE s', 'EXECUTE'],
    ['EXECUTE IMMEDIATE @q', 'dynamic SQL'],
    ['BEGIN NOT ATOMIC IF 1 THEN SET NAMES gbk; END IF; END', 'sql_mode or character set changed inside a block'],
    ['/*M!999999 SET NAMES gbk */', 'version-gated executable comment'],
  ];
  for (const [sql, reason] of cases) {
    const effects = analyze(sql);
    assert.equal(effects.lexSettingsUnknown, reason, sql);
    assert.equal(effects.adminReason === undefined || sql.startsWith('EXECUTE IMMEDIATE'), true, sql);
  }
  const hidden = analyze("SET sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES'); SELECT 'a\\' ; SHUTDOWN ; SELECT '");
  assert.match(hidden.adminReason ?? '', /unknown sql_mode or character set/);
  for (const sql of ["SET sql_mode = 'ANSI'", 'SET NAMES gbk', 'SELECT 1; SET time_zone = @tz']) assert.equal(analyze(sql).lexSettingsUnknown, undefined, sql);
});

test('what a literal EXECUTE IMMEDIATE sets is known: the rest of the text is lexed with it', () => {
  const gbkInjection = Buffer.concat([Buffer.from("SELECT '"), Buffer.from([0xbf, 0x5c]), Buffer.from("' ; SET GLOBAL x = 1 ; SELECT '")]);
  const effects = analyze(Buffer.concat([Buffer.from("EXECUTE IMMEDIATE 'SET NAMES gbk'; "), gbkInjection]));
  assert.equal(effects.namesCharset, 'gbk');
  assert.equal(effects.lexSettingsUnknown, undefined);
  assert.equal(effects.adminReason, 'SET GLOBAL');
});

test('latin1: SHUTDOWN followed by a no-break space byte is the statement SHUTDOWN, as MariaDB reads it', () => {
  const sql = Buffer.from([...Buffer.from('SHUTDOWN'), 0xa0]);
  assert.equal(analyze(sql, { charset: 'latin1' }).adminReason, 'SHUTDOWN');
  assert.equal(analyze(sql, { charset: 'latin1' }).kinds[0], 'SHUTDOWN');
});

test('identifiers are decoded in the client character set', () => {
  const latin1 = Buffer.concat([Buffer.from('SELECT * FROM '), Buffer.from([0xe9]), Buffer.from('t.x')]);
  assert.deepEqual(analyze(latin1, { charset: 'latin1' }).schemasReferenced, ['ét']);
  assert.deepEqual(analyze('SELECT * FROM ét.x').schemasReferenced, ['ét']);
});

test('SELECT f() that Cathode answers itself: the column is named as MariaDB names it', () => {
  const cases: Array<[string, unknown]> = [
    ['SELECT LAST_INSERT_ID()', { function: 'LAST_INSERT_ID', columnName: 'LAST_INSERT_ID()' }],
    ['select last_insert_id( )', { function: 'LAST_INSERT_ID', columnName: 'last_insert_id( )' }],
    ['SELECT FOUND_ROWS() AS n', { function: 'FOUND_ROWS', columnName: 'n' }],
    ['SELECT ROW_COUNT() `rows`', { function: 'ROW_COUNT', columnName: 'rows' }],
    ["/* c */ SELECT CONNECTION_ID() AS 'id' FROM DUAL ; ", { function: 'CONNECTION_ID', columnName: 'id' }],
    ['SELECT Connection_Id() FROM DUAL', { function: 'CONNECTION_ID', columnName: 'Connection_Id()' }],
    ['SELECT LAST_INSERT_ID(5)', undefined],
    ['SELECT LAST_INSERT_ID() + 1', undefined],
    ['SELECT LAST_INSERT_ID() FROM t', undefined],
    ['SELECT LAST_INSERT_ID(); SELECT 1', undefined],
    ['SELECT LAST_INSERT_ID() INTO @x', undefined],
    ['SELECT /*! LAST_INSERT_ID() */', undefined],
    ['SELECT db.LAST_INSERT_ID()', undefined],
  ];
  for (const [sql, expected] of cases) assert.deepEqual(analyze(sql).localAnswer, expected, sql);
});

/** Work (bytes lexed plus token reads) to analyse `head + unit × n + tail`, for n and 2n units. */
function workFor(head: string, unit: string, tail: string, bytes: number, options: Partial<LexOptions> = {}): [number, number] {
  const measure = (size: number) => {
    const sql = Buffer.from(head + unit.repeat(Math.ceil(size / unit.length)) + tail);
    const meter: WorkMeter = { steps: 0 };
    analyzeStatement(sql, { ...UTF8, ...options }, meter);
    return meter.steps;
  };
  return [measure(bytes / 2), measure(bytes)];
}

const MiB = 1024 * 1024;

test('linear work: the inputs that were quadratic, and other shapes, at 2 and 4 MiB', () => {
  const shapes: Array<[string, string, string, string, Partial<LexOptions>?]> = [
    ['sql_mode = w w w (8.3 s for 313 KiB before)', 'SET @@session.sql_mode = ', 'w ', ''],
    ['SELECT 1,1,1 (7 s for 10 MB before)', 'SELECT 1', ',1', ''],
    ['SET of many constants', 'SET ', 'a = 1, ', 'b = 2'],
    ['SET of many user variables', 'SET ', '@a = 1, ', '@b = 2'],
    ['SET STATEMENT with many settings', 'SET STATEMENT ', 'a = 1, ', 'b = 2 FOR SELECT 1'],
    ['qualified names', 'SELECT ', 'a.b, ', 'c FROM t'],
    ['three-part names', 'SELECT ', 'a.b.c, ', '1'],
    ['many tables', 'SELECT * FROM ', 't a, ', 'u'],
    ['deep parentheses', 'SELECT ', '(', '1'],
    ['deep subqueries', 'SELECT * FROM ', '(SELECT * FROM ', 't'],
    ['many statements', '', 'SELECT 1;', ''],
    ['many KILLs', '', 'KILL 1;', ''],
    ['many USEs', '', 'USE a;', ''],
    ['stored program body', 'CREATE PROCEDURE p() BEGIN ', 'SET @a = 1; UPDATE t SET a = 1; ', 'END'],
    ['nested blocks', 'BEGIN NOT ATOMIC ', 'BEGIN ', ''],
    ['a block run now', 'BEGIN NOT ATOMIC ', "SET a = 1; SET @b = 'x', c = 2; ", 'END'],
    ['dynamic SQL in a block', 'CREATE PROCEDURE p() BEGIN ', "PREPARE s FROM 'SET GLOBAL a = 1'; ", 'END'],
    ['many SET NAMES and sql_mode', '', "SET NAMES gbk; SET sql_mode = 'ANSI_QUOTES'; ", ''],
    ['dynamic SQL', "PREPARE s FROM '", 'SELECT a.b FROM t, ', "u'"],
    ['a long string', "SELECT '", 'x\\\'', "'"],
    ['an unterminated comment', 'SELECT 1 /*', ' x ', ''],
    ['executable comments', 'SELECT 1', ' /*!, 2 */', ''],
    ['SET words in a block', 'CREATE PROCEDURE p() ', 'SET ', ''],
    ['gbk text', "SELECT '", '\u00bf\\', "'", { charset: 'gbk' }],
  ];
  for (const [index, [name, head, unit, tail, options]] of shapes.entries()) {
    // The two shapes of the issue at 4 MiB; the others at 2 MiB to spare a shared machine.
    const size = index < 2 ? 4 * MiB : 2 * MiB;
    const [half, full] = workFor(head, unit, tail, size, options);
    assert.ok(full <= 2.2 * half, `${name}: ${half} steps for ${size / 2} bytes, ${full} for ${size}`);
    assert.ok(full <= 8 * size, `${name}: ${full} steps for ${size} bytes`);
  }
});

test('analysing a point select reuses its work space: a few hundred bytes of heap per statement', async () => {
  const { getHeapStatistics } = await import('node:v8');
  const sql = Buffer.from('SELECT c FROM sbtest1 WHERE id=123');
  for (let i = 0; i < 20_000; i++) analyzeStatement(sql, UTF8);
  const before = getHeapStatistics().total_allocated_bytes;
  for (let i = 0; i < 20_000; i++) analyzeStatement(sql, UTF8);
  const perStatement = (getHeapStatistics().total_allocated_bytes - before) / 20_000;
  assert.ok(perStatement < 1500, `${perStatement} bytes per analysis`);
});
