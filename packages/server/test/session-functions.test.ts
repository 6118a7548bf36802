import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { using, wireError } from './support/direct.ts';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// LAST_INSERT_ID(), FOUND_ROWS() and ROW_COUNT() are the session's, while MariaDB keeps them per
// connection: with one backend connection shared by two sessions, each must still see its own.

let cathode: TestCathode;
type Row = mysql.RowDataPacket;

before(async () => {
  cathode = await startTestCathode({ reactors: 1 }, { min: 0, max: 1 });
  await cathode.direct(`CREATE TABLE ${cathode.schema}.items (id INT AUTO_INCREMENT PRIMARY KEY, label VARCHAR(20))`);
  await cathode.direct(`INSERT INTO ${cathode.schema}.items (label) VALUES ('a'), ('b'), ('c')`);
});
after(() => cathode.close());

async function insertId(client: mysql.Connection, label: string): Promise<number> {
  const [result] = await client.query<mysql.ResultSetHeader>('INSERT INTO items (label) VALUES (?)', [label]);
  return result.insertId;
}

test("regression: LAST_INSERT_ID() inside a statement is the session's own after another session inserted on the same connection", async () => {
  await using(cathode.connect(), async (a) => {
    await using(cathode.connect(), async (b) => {
      const mine = await insertId(a, 'from a');
      const theirs = await insertId(b, 'from b');
      assert.notEqual(mine, theirs);
      const [[alone]] = await a.query<Row[]>('SELECT LAST_INSERT_ID() AS id');
      assert.equal(Number(alone.id), mine);
      const [[expression]] = await a.query<Row[]>('SELECT LAST_INSERT_ID() + 0 AS id');
      assert.equal(Number(expression.id), mine);
      const [[row]] = await a.query<Row[]>('SELECT label FROM items WHERE id = LAST_INSERT_ID()');
      assert.equal(row.label, 'from a');
      const [[prepared]] = await a.execute<Row[]>('SELECT label, ? AS n FROM items WHERE id = LAST_INSERT_ID()', [1]);
      assert.equal(prepared.label, 'from a');
      const [[other]] = await b.query<Row[]>('SELECT LAST_INSERT_ID() + 0 AS id');
      assert.equal(Number(other.id), theirs);
    });
  });
});

test("FOUND_ROWS() and ROW_COUNT() alone are the session's own; inside a statement after the connection moved they are refused, never another session's", async () => {
  await using(cathode.connect(), async (a) => {
    await using(cathode.connect(), async (b) => {
      await a.query("SELECT * FROM items WHERE label IN ('a', 'b')");
      await b.query('SELECT * FROM items');
      const [[found]] = await a.query<Row[]>('SELECT FOUND_ROWS() AS n');
      assert.equal(Number(found.n), 2);
      await a.query("UPDATE items SET label = label WHERE label = 'zzz'");
      await b.query("UPDATE items SET label = CONCAT(label, '') WHERE label IN ('a', 'b', 'c')");
      const [[count]] = await a.query<Row[]>('SELECT ROW_COUNT() AS n');
      assert.equal(Number(count.n), 0);
      await a.query("SELECT * FROM items WHERE label = 'a'");
      await b.query('SELECT 1');
      const refused = await wireError(a.query('SELECT FOUND_ROWS() + 0 AS n'));
      assert.deepEqual([refused.errno, refused.sqlState], [1235, '42000'], JSON.stringify(refused));
      // On the connection of the session's previous statement, nothing run since, it reaches MariaDB.
      await a.query("SELECT * FROM items WHERE label IN ('a', 'b', 'c')");
      const [[same]] = await a.query<Row[]>('SELECT FOUND_ROWS() + 0 AS n');
      assert.equal(Number(same.n), 3);
    });
  });
});
