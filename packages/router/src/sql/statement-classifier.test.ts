import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeStatement } from './statement-analysis.ts';

const analyze = (sql: string) => analyzeStatement(Buffer.from(sql), { charset: 'utf8mb4', ansiQuotes: false, noBackslashEscapes: false });

test('every administrative statement form is refused for non-admins', () => {
  const admin = [
    'SET GLOBAL x = 1', 'SET @@global.x = 1', 'SET PERSIST x = 1', 'SET a = 1, GLOBAL b = 2', "CREATE USER bob IDENTIFIED BY 'x'",
    'CREATE OR REPLACE USER bob', 'DROP USER IF EXISTS bob', 'ALTER USER bob ACCOUNT LOCK', 'RENAME USER bob TO alice', 'CREATE ROLE r',
    'DROP ROLE r', 'GRANT ALL ON *.* TO bob', 'GRANT SELECT ON other.* TO bob', 'REVOKE ALL ON *.* FROM bob', "SET PASSWORD = 'x'",
    "SET PASSWORD FOR bob = PASSWORD('x')", 'SET DEFAULT ROLE r', 'SHUTDOWN', 'SHUTDOWN WAIT FOR ALL SLAVES', 'RESTART',
    "SELECT * FROM t INTO OUTFILE '/tmp/x'", "SELECT a INTO DUMPFILE '/tmp/x' FROM t", "SELECT LOAD_FILE('/etc/passwd')",
    "LOAD DATA INFILE '/etc/passwd' INTO TABLE t", "LOAD DATA CONCURRENT INFILE 'f' INTO TABLE t", "LOAD XML INFILE 'f' INTO TABLE t",
    'KILL USER bob', 'FLUSH PRIVILEGES', 'FLUSH TABLES WITH READ LOCK', 'FLUSH LOGS', 'RESET MASTER', 'RESET QUERY CACHE',
    "PURGE BINARY LOGS TO 'b.000001'", "CHANGE MASTER TO MASTER_HOST = 'h'", 'CHANGE REPLICATION FILTER REPLICATE_DO_DB = ()',
    'START SLAVE', 'START REPLICA', 'START ALL SLAVES', 'STOP SLAVE', 'STOP ALL REPLICAS', "BINLOG 'AAAA'", 'INSTALL PLUGIN p SONAME "p.so"',
    'INSTALL SONAME "p"', 'UNINSTALL PLUGIN p', "CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (HOST 'h')", 'ALTER SERVER s OPTIONS (USER "u")',
    'DROP SERVER s', 'CACHE INDEX t IN c', 'LOAD INDEX INTO CACHE t', 'SHOW BINLOG EVENTS', 'SHOW MASTER STATUS', 'SHOW SLAVE STATUS',
    'SHOW REPLICA STATUS', 'SHOW ALL SLAVES STATUS', 'SHOW BINARY LOGS', 'SHOW RELAYLOG EVENTS', 'SHOW SLAVE HOSTS', 'SHOW GRANTS FOR bob',
    "SHOW CREATE USER 'bob'", 'CREATE FUNCTION f RETURNS STRING SONAME "udf.so"', 'CREATE AGGREGATE FUNCTION f RETURNS INT SONAME "u.so"',
    'SET sql_log_bin = 0', 'SET STATEMENT max_statement_time = 1 FOR SHUTDOWN', '/*! SET GLOBAL x = 1 */', '/*M!100000 CREATE USER bob */',
    "PREPARE s FROM 'SET GLOBAL x = 1'", "PREPARE s FROM 'SELECT * FROM t ' 'INTO OUTFILE \"/tmp/x\"'", "EXECUTE IMMEDIATE 'SHUTDOWN'",
    'PREPARE s FROM @sql', 'EXECUTE IMMEDIATE CONCAT("SHUT", "DOWN")', 'BACKUP STAGE START', 'BEGIN NOT ATOMIC SET GLOBAL x = 1; END',
    'SELECT 1; SHUTDOWN', 'EXPLAIN FOR CONNECTION 5', 'SHOW EXPLAIN FOR 5', 'SHOW ANALYZE FOR 5',
  ];
  for (const sql of admin) assert.notEqual(analyze(sql).adminReason, undefined, sql);
});

test('ordinary statements are not administrative', () => {
  const ordinary = [
    'SELECT c FROM sbtest1 WHERE id = 123', 'SHOW GRANTS', 'SHOW GRANTS FOR CURRENT_USER', 'SHOW GRANTS FOR CURRENT_USER()', 'HELP SELECT',
    "LOAD DATA LOCAL INFILE 'f' INTO TABLE t", "LOAD XML LOW_PRIORITY LOCAL INFILE 'f' INTO TABLE t", 'KILL 5', 'KILL QUERY 5',
    'SET SESSION wait_timeout = 10', 'CREATE TABLE t (a INT)', 'CREATE FUNCTION f() RETURNS INT RETURN 1', 'SELECT * FROM t INTO @x',
    "SELECT 'LOAD_FILE(1)', 'INTO OUTFILE'", 'START TRANSACTION', "PREPARE s FROM 'SELECT ?'", 'SHOW PROCESSLIST', 'FLUSHX',
    'SELECT user FROM t', 'CREATE TABLE user (a INT)', 'SHOW TABLE STATUS',
  ];
  for (const sql of ordinary) assert.equal(analyze(sql).adminReason, undefined, sql);
});

test('LOAD DATA LOCAL INFILE and LOAD XML LOCAL INFILE are the statements that may ask for a client file', () => {
  assert.equal(analyze("LOAD DATA LOCAL INFILE 'f' INTO TABLE t").localInfile, true);
  assert.equal(analyze("load xml local infile 'f' into table t").localInfile, true);
  assert.equal(analyze("LOAD DATA INFILE 'f' INTO TABLE t").localInfile, false);
  assert.equal(analyze("SELECT 'LOAD DATA LOCAL INFILE'").localInfile, false);
});

test('state that lives on one connection pins the session', () => {
  const pins: Array<[string, string]> = [
    ['LOCK TABLES t WRITE', 'LOCK TABLES'],
    ['LOCK TABLE t READ', 'LOCK TABLES'],
    ['FLUSH TABLES t WITH READ LOCK', 'FLUSH … LOCK'],
    ['CREATE TEMPORARY TABLE tmp (a INT)', 'temporary table'],
    ["PREPARE s FROM 'SELECT 1'", 'SQL prepared statement'],
    ['EXECUTE s USING @a', 'SQL prepared statement'],
    ['DEALLOCATE PREPARE s', 'SQL prepared statement'],
    ['DROP PREPARE s', 'SQL prepared statement'],
    ["XA START 'x'", 'XA transaction'],
    ['HANDLER t OPEN', 'HANDLER'],
    ['HANDLER t READ FIRST', 'HANDLER'],
    ['SELECT SQL_CALC_FOUND_ROWS a FROM t', 'SQL_CALC_FOUND_ROWS'],
  ];
  for (const [sql, reason] of pins) assert.equal(analyze(sql).pinReason, reason, sql);
  assert.equal(analyze('UNLOCK TABLES').unlocksTables, true);
  assert.equal(analyze('unlock table').unlocksTables, true);
});

test('temporary tables created and dropped are reported by name, qualified as written', () => {
  assert.deepEqual(analyze('CREATE TEMPORARY TABLE IF NOT EXISTS tmp (a INT)').temporaryTablesCreated, ['tmp']);
  assert.deepEqual(analyze('CREATE OR REPLACE TEMPORARY TABLE db.tmp AS SELECT 1').temporaryTablesCreated, ['db.tmp']);
  assert.deepEqual(analyze('DROP TEMPORARY TABLE IF EXISTS tmp, `db`.`t2`').temporaryTablesDropped, ['tmp', 'db.t2']);
  assert.deepEqual(analyze('DROP TABLE a, b CASCADE').temporaryTablesDropped, ['a', 'b']);
  assert.deepEqual(analyze('CREATE TABLE tmp (a INT)').temporaryTablesCreated, []);
});

test('what Cathode cannot follow leaves the connection untracked', () => {
  const untracked: Array<[string, string]> = [
    ['CALL p()', 'CALL'],
    ['CALL db.p', 'CALL'],
    ["EXECUTE IMMEDIATE 'SELECT 1'", 'EXECUTE IMMEDIATE'],
    ['PREPARE s FROM @q', 'dynamic SQL'],
    ['BEGIN NOT ATOMIC SELECT 1; END', 'compound statement'],
    ['IF 1 THEN SELECT 1; END IF', 'compound statement'],
    ['FROBNICATE everything', 'statement FROBNICATE'],
    ['COMMIT RELEASE', 'COMMIT RELEASE'],
    ['ROLLBACK AND NO CHAIN RELEASE', 'ROLLBACK RELEASE'],
    ['/*M!999999 SET @x = 1 */', 'version-gated executable comment'],
  ];
  for (const [sql, reason] of untracked) assert.equal(analyze(sql).untracked, reason, sql);
  for (const sql of [
    'SELECT 1', 'INSERT INTO t VALUES (1)', 'UPDATE t SET a = 1', 'DELETE FROM t', 'REPLACE INTO t VALUES (1)', 'WITH x AS (SELECT 1) SELECT * FROM x',
    'VALUES (1)', 'TABLE t', 'SHOW TABLES', 'DESCRIBE t', 'DESC t', 'EXPLAIN SELECT 1', 'ANALYZE SELECT 1', 'ANALYZE TABLE t', 'BEGIN', 'BEGIN WORK',
    'START TRANSACTION READ ONLY', 'COMMIT', 'COMMIT AND NO RELEASE', 'ROLLBACK', 'ROLLBACK TO SAVEPOINT s', 'SAVEPOINT s', 'RELEASE SAVEPOINT s', 'USE db',
    "SET time_zone = 'UTC'", 'DO 1', 'CREATE TABLE t (a INT)', 'ALTER TABLE t ADD b INT', 'DROP TABLE t', 'RENAME TABLE a TO b', 'TRUNCATE t',
    'CREATE INDEX i ON t (a)', 'CREATE VIEW v AS SELECT 1', 'CREATE DATABASE d', 'DROP SCHEMA d', '(SELECT 1) UNION (SELECT 2)',
    '/*!40101 SET NAMES utf8mb4 */', 'SET STATEMENT max_statement_time = 1 FOR SELECT 1', 'CREATE PROCEDURE p() BEGIN SELECT 1; END',
  ]) {
    assert.equal(analyze(sql).untracked, undefined, sql);
  }
});

test('the body of a stored program is checked for admin statements and schemas but its session effects are not applied', () => {
  const effects = analyze('CREATE PROCEDURE p() BEGIN SET @x = 1; SELECT * FROM other.t; LOCK TABLES t READ; END');
  assert.deepEqual(effects.kinds, ['CREATE']);
  assert.deepEqual(effects.schemasReferenced, ['other']);
  assert.equal(effects.userVariables.size, 0);
  assert.equal(effects.pinReason, undefined);
  assert.equal(analyze('CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN GRANT ALL ON *.* TO bob; END').adminReason, 'GRANT');
});

test('a compound statement run now pins, is untracked, and carries its parts pins and schemas', () => {
  const effects = analyze('BEGIN NOT ATOMIC SELECT * FROM other.t; SELECT GET_LOCK("l", 1); END');
  assert.equal(effects.statementCount, 1);
  assert.deepEqual(effects.kinds, ['BEGIN']);
  assert.deepEqual(effects.schemasReferenced, ['other']);
  assert.equal(effects.pinReason, 'compound statement');
  assert.equal(effects.untracked, 'compound statement');
});

test('SQL in PREPARE … FROM and EXECUTE IMMEDIATE literals is analysed for schemas and admin rights', () => {
  assert.deepEqual(analyze("PREPARE s FROM 'SELECT * FROM mysql.user'").schemasReferenced, ['mysql']);
  assert.deepEqual(analyze('PREPARE s FROM "SELECT * FROM other.t WHERE a = \\"x\\""').schemasReferenced, ['other']);
  assert.deepEqual(analyze("EXECUTE IMMEDIATE 'SELECT * FROM mysql.user WHERE user = ?' USING @u").schemasReferenced, ['mysql']);
  assert.deepEqual(analyze("PREPARE s FROM X'53454c454354202a2046524f4d206d7973716c2e75736572'").schemasReferenced, ['mysql']);
  assert.deepEqual(analyze("PREPARE s FROM 'PREPARE t FROM ''SELECT * FROM other.t'''").schemasReferenced, ['other']);
  assert.equal(analyze("EXECUTE IMMEDIATE 'USE other'").untracked, 'EXECUTE IMMEDIATE');
  assert.deepEqual(analyze("EXECUTE IMMEDIATE 'USE other'").schemasReferenced, ['other']);
  assert.equal(analyze("EXECUTE IMMEDIATE 'SELECT GET_LOCK(1, 1)'").pinReason, 'GET_LOCK');
  const deep = "PREPARE a FROM 'PREPARE b FROM ''PREPARE c FROM ''''PREPARE d FROM ''''''''SELECT 1'''''''' '''' '' '";
  assert.equal(analyze(deep).adminReason, 'dynamic SQL');
});

test('SHOW [FULL] PROCESSLIST is recognised', () => {
  assert.deepEqual(analyze('SHOW PROCESSLIST').processList, { full: false });
  assert.deepEqual(analyze('show full processlist').processList, { full: true });
  assert.equal(analyze('SHOW PROCESSLIST LIKE 1').processList, undefined);
});

test('ANALYZE <statement> runs the statement: it is classified', () => {
  assert.equal(analyze('ANALYZE SELECT GET_LOCK("a", 1)').pinReason, 'GET_LOCK');
  assert.deepEqual(analyze('ANALYZE UPDATE other.t SET a = 1').schemasReferenced, ['other']);
});

test('statements nested in a stored program are checked for admin rights: it runs later with its definer rights', () => {
  const admin = [
    'CREATE PROCEDURE p() SET GLOBAL x = 1',
    'CREATE DEFINER = root@localhost PROCEDURE p() DETERMINISTIC SET GLOBAL x = 1',
    "CREATE PROCEDURE p() COMMENT 'c' BEGIN SELECT 1; IF 1 THEN SHUTDOWN; END IF; END",
    'CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN PREPARE s FROM @sql; EXECUTE s; END',
    'CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO KILL 5',
    'CREATE FUNCTION f() RETURNS INT BEGIN CREATE USER bob; RETURN 1; END',
    'ALTER EVENT e DO FLUSH LOGS',
    'BEGIN NOT ATOMIC IF 1 THEN GRANT ALL ON *.* TO bob; END IF; END',
    "CREATE PROCEDURE p() EXECUTE IMMEDIATE 'SET GLOBAL x = 1'",
  ];
  for (const sql of admin) assert.notEqual(analyze(sql).adminReason, undefined, sql);
  const ordinary = [
    'CREATE PROCEDURE p() BEGIN UPDATE t SET a = 1; INSERT INTO t SET b = 2; END',
    'CREATE PROCEDURE p() ALTER TABLE t CHANGE a b INT',
    'CREATE TABLE t (a INT REFERENCES p (id) ON DELETE SET NULL) CHARACTER SET utf8mb4',
    'CREATE PROCEDURE p() BEGIN CREATE SEQUENCE s CACHE 10; ALTER SEQUENCE s RESTART WITH 5; SHOW TABLES; END',
    'CREATE DEFINER = `root`@`%` VIEW v AS SELECT 1',
  ];
  for (const sql of ordinary) assert.equal(analyze(sql).adminReason, undefined, sql);
  assert.equal(analyze("GRANT SELECT ON t TO 'bob'@'%'").readsUserVariables, false);
});
