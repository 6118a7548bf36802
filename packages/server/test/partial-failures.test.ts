import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { using, wireError } from './support/direct.ts';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// Found by trying to get past the lexer: session state changed by a text whose later statement
// failed, a prepared statement re-prepared under a later sql_mode, and prepared SQL in a character
// set other than UTF-8. One reactor, one backend connection: anything left behind would show.

let cathode: TestCathode;
type Row = mysql.RowDataPacket;
const other = () => `${cathode.schema}_o`;

before(async () => {
  cathode = await startTestCathode(
    ({ schema }) => ({
      reactors: 1,
      users: [
        { name: 'cathode', password: 'cathode', schemas: [schema] },
        // May use this file's schema and its _b sibling, to follow a USE between them.
        { name: 'wide', password: 'wide', schemas: [schema, `${schema}_b`] },
      ],
    }),
    { min: 0, max: 1 },
  );
  await cathode.direct(`CREATE DATABASE ${other()}`);
  await cathode.direct(`CREATE TABLE ${other()}.secret (v VARCHAR(20)); INSERT INTO ${other()}.secret VALUES ('hidden')`);
  await cathode.direct(`CREATE PROCEDURE ${cathode.schema}.noop() BEGIN END`);
});
after(async () => {
  await cathode.direct(`DROP DATABASE IF EXISTS ${other()}`);
  await cathode.close();
});

test('regression: ANSI_QUOTES set by a multi-statement text whose next statement failed still confines the user ("o"."secret" is 1044) and leaks into no other session', async () => {
  await using(cathode.connect({ multipleStatements: true }), async (connection) => {
    const failed = await wireError(connection.query("SET sql_mode='ANSI_QUOTES'; SELECT * FROM no_such_table"));
    assert.equal(failed.errno, 1146);
    const refused = await wireError(connection.query(`SELECT * FROM "${other()}"."secret"`));
    assert.deepEqual([refused.errno, refused.sqlState], [1044, '42000'], JSON.stringify(refused));
  });
  await using(cathode.connect(), async (connection) => {
    const [[row]] = await connection.query<Row[]>('SELECT @@sql_mode AS mode');
    assert.doesNotMatch(String(row.mode), /ANSI_QUOTES/);
  });
});

test('regression: NO_BACKSLASH_ESCAPES set by a failed multi-statement text does not let a string hide a subquery of another schema', async () => {
  await using(cathode.connect({ multipleStatements: true }), async (connection) => {
    await wireError(connection.query("SET sql_mode='NO_BACKSLASH_ESCAPES'; SELECT * FROM no_such_table"));
    const refused = await wireError(connection.query(`SELECT 'a\\', (SELECT v FROM ${other()}.secret), '\\'`));
    assert.deepEqual([refused.errno, refused.sqlState], [1044, '42000'], JSON.stringify(refused));
  });
});

test('regression: a USE in a failed multi-statement text is followed: the session is in the schema MariaDB says', async () => {
  await cathode.direct(`CREATE DATABASE IF NOT EXISTS ${cathode.schema}_b`);
  try {
    const user = { user: 'wide', password: 'wide' };
    await using(cathode.connect({ ...user, multipleStatements: true }), async (connection) => {
      await wireError(connection.query(`USE ${cathode.schema}_b; SELECT * FROM no_such_table`));
      const [[row]] = await connection.query<Row[]>('SELECT DATABASE() AS db');
      assert.equal(row.db, `${cathode.schema}_b`);
      // And Cathode's own view of the session agrees.
      const [sessions] = await connection.query<Row[]>('SHOW PROCESSLIST');
      assert.equal(sessions.find((session) => Number(session.Id) === connection.threadId)?.db, `${cathode.schema}_b`);
    });
  } finally {
    await cathode.direct(`DROP DATABASE IF EXISTS ${cathode.schema}_b`);
  }
});

test('regression: a prepared statement is never prepared again under a sql_mode it was not checked under (1615 instead)', async () => {
  await using(cathode.connect(), async (connection) => {
    const sql = `SELECT 'a\\', (SELECT v FROM ${other()}.secret) -- '`;
    const statement = await connection.prepare(sql);
    const [[first]] = (await statement.execute([])) as [Row[], unknown];
    assert.equal(Object.keys(first).length, 1, 'one string literal');
    await connection.query("SET sql_mode='NO_BACKSLASH_ESCAPES'");
    // Frees the connection's prepared statements (the connection is reset after a CALL).
    await connection.query('CALL noop()');
    const refused = await wireError(statement.execute([]));
    assert.deepEqual([refused.errno, refused.sqlState], [1615, 'HY000'], JSON.stringify(refused));
  });
});

test('regression: prepared SQL reaches MariaDB as the client\'s bytes, not re-encoded as UTF-8 (latin1 é stays E9)', async () => {
  await using(cathode.connect({ charset: 'BINARY' } as mysql.ConnectionOptions), async (connection) => {
    await connection.query('SET NAMES latin1');
    const sql = "SELECT HEX('\xe9') AS h";
    const [[text]] = await connection.query<Row[]>(sql);
    const [[prepared]] = (await (await connection.prepare(sql)).execute([])) as [Row[], unknown];
    assert.deepEqual([text.h, prepared.h], ['E9', 'E9']);
  });
});
