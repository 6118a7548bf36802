import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LexOptions } from './byte-lexer.ts';
import { SessionFunction } from './statement-analysis-result.ts';
import { analyzeStatement } from './statement-analysis.ts';

const analyze = (sql: string, options: Partial<LexOptions> = {}) =>
  analyzeStatement(Buffer.from(sql), { charset: 'utf8mb4', ansiQuotes: false, noBackslashEscapes: false, ...options });
const schemas = (sql: string, options?: Partial<LexOptions>) => [...analyze(sql, options).schemasReferenced].sort();

test('tables and aliases of the statement are not schemas', () => {
  for (const sql of [
    'SELECT c FROM sbtest1 WHERE id=123',
    'SELECT u.id FROM users u',
    'SELECT users.id FROM users',
    'SELECT t.* FROM t',
    'SELECT a.x, b.y FROM t1 AS a JOIN t2 b ON a.id = b.id LEFT JOIN t3 ON t3.id = a.id',
    'SELECT d.x FROM (SELECT 1 AS x) d',
    'SELECT d.x FROM (SELECT 1 AS x) AS d',
    'WITH cte AS (SELECT 1 AS x) SELECT cte.x FROM cte',
    'UPDATE t SET t.a = 1 WHERE t.b = 2',
    'UPDATE t1, t2 SET t1.a = t2.a WHERE t1.id = t2.id',
    'DELETE a FROM t1 a JOIN t2 b ON a.id = b.id',
    'INSERT INTO t (a) SELECT s.a FROM s',
    'INSERT INTO t VALUES (1) ON DUPLICATE KEY UPDATE a = VALUES(a)',
    "SELECT 'mysql.user', \"mysql.user\"",
    'SELECT 1.5, .5, t.`a` FROM t',
    'SELECT x.a FROM t1 x, t2 y WHERE x.id = y.id',
    'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = OLD.a',
    'SELECT j.v FROM JSON_TABLE(@doc, "$[*]" COLUMNS (v INT PATH "$")) AS j',
    // What ORMs and drivers send.
    'SELECT `User`.`id`, `User`.`name` FROM `Users` AS `User` WHERE `User`.`id` = 1',
    'select user0_.id as id1_0_ from users user0_ where user0_.id=?',
    'SELECT `u`.`id` AS `u_id` FROM `user` `u` LEFT JOIN `photo` `p` ON `p`.`userId`=`u`.`id`',
    'SELECT `app_user`.`id` FROM `app_user` INNER JOIN `app_group` ON (`app_user`.`group_id` = `app_group`.`id`)',
    'SELECT `users`.* FROM `users` WHERE `users`.`id` = 1 LIMIT 1',
    'select @@version_comment limit 1',
    'UPDATE a JOIN b ON a.id = b.id SET a.x = b.y',
    'SELECT (SELECT COUNT(*) FROM c WHERE c.uid = u.id) AS cnt FROM users u',
    'SELECT CONVERT(u.x USING utf8mb4), CAST(u.y AS CHAR) FROM users u',
    'SELECT t.a, COUNT(*) OVER (PARTITION BY t.b ORDER BY t.c) FROM t',
    'WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT r.n + 1 FROM r WHERE r.n < 10) SELECT * FROM r',
    'SELECT * FROM t1 LEFT JOIN (t2 CROSS JOIN t3) ON t2.a = t1.a AND t3.b = t1.b',
    'SELECT * FROM t1 a JOIN t2 b USING (id) WHERE a.x = b.y',
    'SELECT t.id FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.tid = t.id)',
    'SELECT * FROM t1 a INNER JOIN t2 b ON a.id = b.id INNER JOIN t3 c ON c.id = b.id WHERE c.x = a.x',
    'LOCK TABLES t1 AS a READ, t2 WRITE',
  ]) {
    assert.deepEqual(schemas(sql), [], sql);
  }
});

test('qualified names reach schemas, in every position', () => {
  const cases: Array<[string, string[]]> = [
    ['SELECT mysql.user.authentication_string FROM t', ['mysql']],
    ['SELECT * FROM t WHERE x IN (SELECT 1 FROM other.t2)', ['other']],
    ['SELECT (SELECT authentication_string FROM mysql.user LIMIT 1)', ['mysql']],
    ['SELECT * FROM mysql.user mysql', ['mysql']],
    ['SELECT * FROM mysql . user', ['mysql']],
    ['SELECT * FROM `mysql`.`user`', ['mysql']],
    ['UPDATE other.t SET a=1', ['other']],
    ['UPDATE LOW_PRIORITY IGNORE t1, other.t2 SET t1.a = 1', ['other']],
    ['INSERT INTO other.t VALUES (1)', ['other']],
    ['INSERT other.t VALUES (1)', ['other']],
    ['REPLACE INTO other.t VALUES (1)', ['other']],
    ['DELETE FROM other.t', ['other']],
    ['DELETE t FROM t JOIN other.u ON t.id = u.id', ['other']],
    ['DELETE FROM t USING t, other.u', ['other']],
    ['SELECT other.f(1)', ['other']],
    ['SELECT other . f (1)', ['other']],
    ['CALL other.p()', ['other']],
    ['SELECT * FROM t1, other.t2', ['other']],
    ['SELECT * FROM t1 a, t2 b, other.t3 c', ['other']],
    ['SELECT * FROM t mysql, (mysql.user)', ['mysql']],
    ['SELECT * FROM t mysql JOIN (t2, mysql.user) ON 1', ['mysql']],
    ['SELECT * FROM { OJ t LEFT OUTER JOIN mysql.user ON 1 }', ['mysql']],
    ['SELECT * FROM t STRAIGHT_JOIN other.u', ['other']],
    ['SELECT * FROM t NATURAL JOIN other.u', ['other']],
    ['SELECT * FROM t WHERE a = other.b', ['other']],
    ['SELECT t.a FROM t JOIN u ON t.x = v.y', ['v']],
    ['TABLE other.t', ['other']],
    ['DESCRIBE other.t', ['other']],
    ['DESC other.t', ['other']],
    ['EXPLAIN other.t', ['other']],
    ['EXPLAIN SELECT * FROM other.t', ['other']],
    ['CREATE TABLE other.t (a INT)', ['other']],
    ['CREATE TABLE t LIKE other.u', ['other']],
    ['CREATE TABLE t (LIKE other.u)', ['other']],
    ['CREATE TABLE t (a INT REFERENCES other.p (id))', ['other']],
    ['CREATE TABLE t AS SELECT * FROM other.u', ['other']],
    ['CREATE INDEX i ON other.t (a)', ['other']],
    ['CREATE VIEW other.v AS SELECT 1', ['other']],
    ['CREATE VIEW v AS SELECT * FROM other.t', ['other']],
    ['CREATE TRIGGER tr BEFORE INSERT ON other.t FOR EACH ROW SET @a = 1', ['other']],
    ['ALTER TABLE other.t ADD COLUMN b INT', ['other']],
    ['ALTER TABLE t RENAME TO other.t', ['other']],
    ['DROP TABLE t1, other.t2', ['other']],
    ['DROP VIEW v1, other.v2', ['other']],
    ['RENAME TABLE t TO other.t', ['other']],
    ['RENAME TABLE a TO b, other.c TO d', ['other']],
    ['TRUNCATE other.t', ['other']],
    ['TRUNCATE TABLE other.t', ['other']],
    ['LOCK TABLES t READ, other.u WRITE', ['other']],
    ['CHECK TABLE t, other.u', ['other']],
    ['HANDLER other.t OPEN', ['other']],
    ['LOAD DATA LOCAL INFILE "f" INTO TABLE other.t', ['other']],
    ['SELECT db1.t.c FROM db1.t, db2.u', ['db1', 'db2']],
    ['SELECT * FROM t mysql FOR SYSTEM_TIME ALL, mysql.user', ['mysql']],
    ['SELECT * FROM t PARTITION (p0) mysql, mysql.user', ['mysql']],
    ['SELECT * FROM t mysql USE INDEX (i), mysql.user', ['mysql']],
    ['SELECT * FROM t JOIN u USING (id), mysql.user', ['mysql']],
    ['SELECT * FROM JSON_TABLE(@j, "$" COLUMNS (a INT PATH "$")) AS mysql, mysql.user', ['mysql']],
    ['SELECT * FROM t WHERE EXISTS (TABLE mysql.user)', ['mysql']],
    ['SELECT * FROM t UNION TABLE mysql.user', ['mysql']],
    ['ALTER TABLE mysql RENAME mysql.x', ['mysql']],
    ['ALTER TABLE mysql RENAME AS mysql.x', ['mysql']],
    ['DROP INDEX i ON mysql.user', ['mysql']],
    ['SELECT * FROM mysql/**/./**/user', ['mysql']],
    ['SELECT * FROM mysql/*!.user*/', ['mysql']],
    ['SELECT * FROM "mysql"."user"', []],
  ];
  for (const [sql, expected] of cases) assert.deepEqual(schemas(sql), expected, sql);
  assert.deepEqual(schemas('SELECT * FROM "mysql"."user"', { ansiQuotes: true }), ['mysql']);
});

test('schema names come back unquoted as written', () => {
  assert.deepEqual(schemas('SELECT * FROM `My``Db`.t'), ['My`Db']);
  assert.deepEqual(schemas('SELECT * FROM MySQL.user'), ['MySQL']);
});

test('databases named by SHOW, USE and the DATABASE statements', () => {
  const cases: Array<[string, string[]]> = [
    ['SHOW TABLES FROM other', ['other']],
    ['SHOW FULL TABLES IN other LIKE "x%"', ['other']],
    ['SHOW COLUMNS FROM t FROM other', ['other']],
    ['SHOW INDEX FROM t IN other', ['other']],
    ['SHOW COLUMNS FROM t', []],
    ['SHOW COLUMNS FROM other.t', ['other']],
    ['SHOW TABLE STATUS IN other', ['other']],
    ['SHOW TRIGGERS FROM other', ['other']],
    ['SHOW EVENTS FROM other', ['other']],
    ['SHOW OPEN TABLES FROM other', ['other']],
    ['SHOW CREATE TABLE other.t', ['other']],
    ['SHOW CREATE VIEW other.v', ['other']],
    ['SHOW CREATE PROCEDURE other.p', ['other']],
    ['SHOW CREATE DATABASE other', ['other']],
    ['SHOW CREATE SCHEMA IF NOT EXISTS other', ['other']],
    ['SHOW TABLES', []],
    ['SHOW TABLES WHERE Tables_in_x IN ("a")', []],
    ['USE other', ['other']],
    ['CREATE DATABASE other', ['other']],
    ['CREATE DATABASE IF NOT EXISTS other', ['other']],
    ['CREATE SCHEMA other CHARACTER SET utf8mb4', ['other']],
    ['DROP DATABASE other', ['other']],
    ['DROP SCHEMA IF EXISTS other', ['other']],
    ['ALTER DATABASE other CHARACTER SET latin1', ['other']],
    ['ALTER DATABASE CHARACTER SET latin1', []],
  ];
  for (const [sql, expected] of cases) assert.deepEqual(schemas(sql), expected, sql);
});

test('information_schema.PROCESSLIST is recognised, qualified or as a table', () => {
  assert.equal(analyze('SELECT * FROM information_schema.PROCESSLIST').readsProcessListTable, true);
  assert.equal(analyze('SELECT id FROM INFORMATION_SCHEMA.processlist WHERE user = "x"').readsProcessListTable, true);
  assert.equal(analyze('SELECT * FROM processlist').readsProcessListTable, true);
  assert.equal(analyze('SELECT * FROM information_schema.tables').readsProcessListTable, false);
  assert.equal(analyze('SELECT processlist FROM t').readsProcessListTable, false);
});

test('information_schema.PROCESSLIST in FROM and JOIN clauses is reported with its byte range, name and alias', () => {
  const ranges = (sql: string) => analyze(sql).processListTables.map(({ start, end, qualified, name, aliased }) => [sql.slice(start, end), qualified, name, aliased]);
  assert.deepEqual(ranges('SELECT * FROM information_schema.PROCESSLIST WHERE ID = 1'), [['information_schema.PROCESSLIST', true, 'PROCESSLIST', false]]);
  assert.deepEqual(ranges('SELECT p.ID FROM `information_schema` . `processlist` AS p'), [['`information_schema` . `processlist`', true, 'processlist', true]]);
  assert.deepEqual(ranges('SELECT p.ID FROM INFORMATION_SCHEMA.processlist p ORDER BY 1'), [['INFORMATION_SCHEMA.processlist', true, 'processlist', true]]);
  assert.deepEqual(ranges('SELECT * FROM PROCESSLIST LIMIT 1'), [['PROCESSLIST', false, 'PROCESSLIST', false]]);
  assert.deepEqual(ranges('SELECT * FROM t JOIN information_schema.PROCESSLIST ON 1 WHERE x IN (SELECT ID FROM information_schema.PROCESSLIST)').map((r) => r[0]), [
    'information_schema.PROCESSLIST',
    'information_schema.PROCESSLIST',
  ]);
  assert.deepEqual(ranges('SELECT * FROM t, information_schema.PROCESSLIST'), [['information_schema.PROCESSLIST', true, 'PROCESSLIST', false]]);
  // Not a FROM clause: a derived table cannot stand there.
  assert.deepEqual(ranges('DESCRIBE information_schema.PROCESSLIST'), []);
  assert.deepEqual(ranges("SELECT 'FROM information_schema.PROCESSLIST'"), []);
  assert.deepEqual(ranges('SELECT * FROM information_schema.TABLES'), []);
});

test('CONNECTION_ID() calls of statements that run now are reported with their byte ranges', () => {
  const calls = (sql: string) => {
    const found = analyze(sql).connectionIdCalls;
    const texts: string[] = [];
    for (let k = 0; k < found.length; k += 2) texts.push(sql.slice(found[k], found[k + 1]));
    return texts;
  };
  assert.deepEqual(calls('SELECT CONNECTION_ID() + 0'), ['CONNECTION_ID()']);
  assert.deepEqual(calls('SELECT * FROM t WHERE id = connection_id ( ) OR id = CONNECTION_ID()'), ['connection_id ( )', 'CONNECTION_ID()']);
  assert.deepEqual(calls('INSERT INTO t VALUES (CONNECTION_ID(), 1); UPDATE t SET a = CONNECTION_ID()'), ['CONNECTION_ID()', 'CONNECTION_ID()']);
  // Stored for later, evaluated in another session, or not the built-in function: left alone.
  assert.deepEqual(calls('CREATE VIEW v AS SELECT CONNECTION_ID()'), []);
  assert.deepEqual(calls('CREATE PROCEDURE p() SELECT CONNECTION_ID()'), []);
  assert.deepEqual(calls('SELECT db.CONNECTION_ID()'), []);
  assert.deepEqual(calls("SELECT 'CONNECTION_ID()', `CONNECTION_ID()`"), []);
  assert.deepEqual(calls("PREPARE s FROM 'SELECT CONNECTION_ID()'"), []);
});

test('user variables: reads need the session values; assignments outside SET pin', () => {
  const read = analyze('SELECT @x, @y + 1');
  assert.equal(read.readsUserVariables, true);
  assert.equal(read.pinReason, undefined);
  for (const sql of ['SELECT @x := 5', 'SELECT a INTO @v FROM t', 'SELECT a, b INTO @v, @w FROM t', 'SELECT a FROM t INTO @v']) {
    const effects = analyze(sql);
    assert.equal(effects.pinReason, 'user variable', sql);
    assert.equal(effects.readsUserVariables, true, sql);
  }
  assert.equal(analyze("SELECT '@x'").readsUserVariables, false);
});

test('session functions are reported as bits, LAST_INSERT_ID with and without an argument apart', () => {
  assert.equal(analyze('SELECT LAST_INSERT_ID()').sessionFunctions, SessionFunction.LAST_INSERT_ID);
  assert.equal(analyze('INSERT INTO t VALUES (LAST_INSERT_ID(5))').sessionFunctions, SessionFunction.LAST_INSERT_ID_SET);
  assert.equal(
    analyze('SELECT found_rows(), row_count(), connection_id() FROM t').sessionFunctions,
    SessionFunction.FOUND_ROWS | SessionFunction.ROW_COUNT | SessionFunction.CONNECTION_ID,
  );
  assert.equal(analyze("SELECT 'LAST_INSERT_ID()', db.found_rows()").sessionFunctions, 0);
});

test('locking functions: GET_LOCK pins, RELEASE_LOCK and RELEASE_ALL_LOCKS are reported', () => {
  assert.equal(analyze("SELECT GET_LOCK('l', 10)").pinReason, 'GET_LOCK');
  assert.equal(analyze("SELECT RELEASE_LOCK('l')").releasesLock, true);
  assert.equal(analyze('SELECT RELEASE_ALL_LOCKS()').releasesAllLocks, true);
  assert.equal(analyze("SELECT 'GET_LOCK(1)'").pinReason, undefined);
});

test('SQL_CALC_FOUND_ROWS pins until the next statement', () => {
  const effects = analyze('SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 1');
  assert.equal(effects.calcFoundRows, true);
  assert.equal(effects.pinReason, 'SQL_CALC_FOUND_ROWS');
});
