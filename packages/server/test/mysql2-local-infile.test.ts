import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { connectDirect, using, wireError } from './support/direct.ts';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// LOAD DATA LOCAL INFILE: MariaDB asks for the file, the client's packets flow through Cathode.

let cathode: TestCathode;
type Row = mysql.RowDataPacket;

before(async () => {
  cathode = await startTestCathode();
  await using(connectDirect(cathode), (direct) => direct.query('CREATE TABLE loaded (id INT PRIMARY KEY, name VARCHAR(100))'));
});
after(() => cathode.close());

function csv(from: number, count: number): Buffer {
  return Buffer.from(Array.from({ length: count }, (_, i) => `${from + i},name ${from + i} ü😀\n`).join(''), 'utf8');
}

const LOAD = "LOAD DATA LOCAL INFILE 'rows.csv' INTO TABLE loaded CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' LINES TERMINATED BY '\\n'";

async function count(connection: mysql.Connection, from: number, to: number): Promise<number> {
  const [[row]] = await connection.query<Row[]>('SELECT COUNT(*) AS n FROM loaded WHERE id BETWEEN ? AND ?', [from, to]);
  return Number(row.n);
}

test('LOAD DATA LOCAL INFILE loads the rows the client streams, and the session carries on', async () => {
  const requested: string[] = [];
  await using(
    cathode.connect({
      infileStreamFactory: (path: string) => {
        requested.push(path);
        return Readable.from([csv(1, 500), csv(501, 500)]);
      },
    }),
    async (connection) => {
      const [result] = await connection.query<mysql.ResultSetHeader>(LOAD);
      assert.equal(result.affectedRows, 1000);
      assert.equal(await count(connection, 1, 1000), 1000);
      const [[row]] = await connection.query<Row[]>('SELECT name FROM loaded WHERE id = 777');
      assert.equal(row.name, 'name 777 ü😀');
    },
  );
  assert.deepEqual(requested, ['rows.csv']);
});

test('LOAD DATA LOCAL INFILE with a file larger than one packet (2 MiB in many chunks)', async () => {
  const chunks = Array.from({ length: 40 }, (_, i) => csv(10_000 + i * 1000, 1000));
  await using(cathode.connect({ infileStreamFactory: () => Readable.from(chunks) }), async (connection) => {
    const [result] = await connection.query<mysql.ResultSetHeader>(LOAD);
    assert.equal(result.affectedRows, 40_000);
    assert.equal(await count(connection, 10_000, 49_999), 40_000);
  });
});

test('LOAD DATA LOCAL INFILE over the compressed protocol', async () => {
  await using(cathode.connect({ compress: true, infileStreamFactory: () => Readable.from([csv(60_000, 2000)]) }), async (connection) => {
    const [result] = await connection.query<mysql.ResultSetHeader>(LOAD);
    assert.equal(result.affectedRows, 2000);
    assert.equal(await count(connection, 60_000, 61_999), 2000);
  });
});

test('LOAD DATA LOCAL INFILE with duplicate rows reports what MariaDB reports (skipped rows, warnings)', async () => {
  const run = async (connection: mysql.Connection) => {
    const [result] = await connection.query<mysql.ResultSetHeader>(LOAD);
    const [warnings] = await connection.query('SHOW WARNINGS');
    await connection.query('DELETE FROM loaded WHERE id >= 900000');
    return { affectedRows: result.affectedRows, info: result.info, warningStatus: result.warningStatus, warnings };
  };
  const factory = () => Readable.from([csv(900_000, 3), csv(900_000, 1)]);
  const proxied = await using(cathode.connect({ infileStreamFactory: factory }), run);
  const direct = await using(connectDirect(cathode, { infileStreamFactory: factory }), run);
  assert.equal(direct.affectedRows, 3);
  assert.match(direct.info, /Skipped: 1/);
  assert.deepStrictEqual(proxied, direct);
});

test('a client without the LOCAL_FILES capability gets the same clean error as from MariaDB, and keeps working', async () => {
  const run = async (connection: mysql.Connection) => {
    const error = await wireError(connection.query(LOAD));
    const [[row]] = await connection.query<Row[]>('SELECT 1 AS ok');
    assert.equal(row.ok, 1);
    return error;
  };
  const proxied = await using(cathode.connect({ flags: ['-LOCAL_FILES'] }), run);
  const direct = await using(connectDirect(cathode, { flags: ['-LOCAL_FILES'] }), run);
  assert.ok(direct.errno > 0);
  assert.deepEqual(proxied, direct);
});

test('a client that refuses to send the file (no stream factory) gets an error and keeps working', async () => {
  await using(cathode.connect(), async (connection) => {
    const error = await wireError(connection.query(LOAD));
    assert.match(error.message, /LOCAL INFILE|streamFactory/);
    const [[row]] = await connection.query<Row[]>('SELECT 2 AS ok');
    assert.equal(row.ok, 2);
  });
});

test('a file stream that fails midway leaves the session usable', async () => {
  await using(
    cathode.connect({
      infileStreamFactory: () =>
        new Readable({
          read() {
            this.push(csv(800_000, 10));
            this.destroy(new Error('disk on fire'));
          },
        }),
    }),
    async (connection) => {
      const error = await wireError(connection.query(LOAD));
      assert.match(error.message, /disk on fire/);
      const [[row]] = await connection.query<Row[]>('SELECT 3 AS ok');
      assert.equal(row.ok, 3);
    },
  );
});
