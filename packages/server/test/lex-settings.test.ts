import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { using, wireError } from './support/direct.ts';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// How Cathode lexes a session's statements must follow the session's sql_mode: under ANSI_QUOTES,
// "mysql"."user" names a table, and a user confined to its schema must not reach it.

let cathode: TestCathode;
type Row = mysql.RowDataPacket;

before(async () => {
  cathode = await startTestCathode();
});
after(() => cathode.close());

test('under ANSI_QUOTES set as a constant, "mysql"."user" is refused with 1044', async () => {
  await using(cathode.connect(), async (connection) => {
    await connection.query("SET sql_mode = 'ANSI_QUOTES'");
    const refused = await wireError(connection.query('SELECT COUNT(*) FROM "mysql"."user"'));
    assert.deepEqual([refused.errno, refused.sqlState], [1044, '42000'], JSON.stringify(refused));
  });
});

test('regression: under ANSI_QUOTES set by a computed value Cathode cannot read, it reads the mode back before lexing on: "mysql"."user" is refused', async () => {
  await using(cathode.connect(), async (connection) => {
    await connection.query("SET sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')");
    const [[mode]] = await connection.query<Row[]>('SELECT @@sql_mode AS mode');
    assert.match(String(mode.mode), /ANSI_QUOTES/);
    const refused = await wireError(connection.query('SELECT COUNT(*) FROM "mysql"."user"'));
    assert.deepEqual([refused.errno, refused.sqlState], [1044, '42000'], JSON.stringify(refused));
    // And a string is a string again once the mode is back.
    await connection.query('SET sql_mode = DEFAULT');
    const [[row]] = await connection.query<Row[]>('SELECT "mysql.user" AS text');
    assert.equal(row.text, 'mysql.user');
  });
});
