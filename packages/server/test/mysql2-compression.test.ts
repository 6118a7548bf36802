import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { connectDirect, using } from './support/direct.ts';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// The compressed protocol (mysql2 `compress: true`) between client and Cathode; Cathode talks
// uncompressed to MariaDB, so every response is re-framed on the way.

let cathode: TestCathode;
type Row = mysql.RowDataPacket;
const sha256 = (value: Buffer) => createHash('sha256').update(value).digest('hex');

before(async () => {
  cathode = await startTestCathode();
  await using(connectDirect(cathode), async (direct) => {
    await direct.query('CREATE TABLE blobs (id INT PRIMARY KEY, b LONGBLOB)');
    await direct.query('CREATE TABLE nums (n INT PRIMARY KEY, s VARCHAR(64))');
    await direct.query("INSERT INTO nums SELECT seq, CONCAT('row ', seq, ' ', REPEAT('ü', seq % 40)) FROM seq_1_to_5000");
  });
});
after(() => cathode.close());

async function compressedNegotiated(connection: mysql.Connection): Promise<boolean> {
  return Boolean((connection as unknown as { connection: { config: { compress: unknown } } }).connection.config.compress);
}

test('compressed session: small queries, execute, and results identical to an uncompressed direct connection', async () => {
  const run = async (connection: mysql.Connection) => {
    const [small] = await connection.query('SELECT 1 AS one, ? AS s', ['über']);
    const [rows] = await connection.query('SELECT * FROM nums ORDER BY n');
    const [executed] = await connection.execute('SELECT * FROM nums WHERE n BETWEEN ? AND ? ORDER BY n', [100, 2000]);
    return { small, rows, executed };
  };
  const proxied = await using(cathode.connect({ compress: true }), async (connection) => {
    assert.equal(await compressedNegotiated(connection), true);
    return run(connection);
  });
  const direct = await using(connectDirect(cathode), run);
  assert.deepStrictEqual(proxied, direct);
  assert.equal((direct.rows as unknown[]).length, 5000);
});

test('compressed session: a 1 MiB result, compressible and incompressible', async () => {
  await using(cathode.connect({ compress: true }), async (connection) => {
    const [[text]] = await connection.query<Row[]>("SELECT REPEAT('abc', 349526) AS big");
    assert.equal(text.big, 'abc'.repeat(349_526));
    const random = randomBytes(1024 * 1024);
    await connection.execute('INSERT INTO blobs VALUES (?, ?)', [1, random]);
    const [[row]] = await connection.query<Row[]>('SELECT b FROM blobs WHERE id = 1');
    assert.equal(sha256(row.b), sha256(random));
    const [[executed]] = await connection.execute<Row[]>('SELECT b FROM blobs WHERE id = ?', [1]);
    assert.equal(sha256(executed.b), sha256(random));
  });
});

test('compressed session: a 17 MiB value in and out (packets split under compression)', async () => {
  const big = randomBytes(17 * 1024 * 1024);
  await using(cathode.connect({ compress: true }), async (connection) => {
    await connection.query('INSERT INTO blobs VALUES (?, ?)', [2, big]);
    const [[row]] = await connection.query<Row[]>('SELECT b FROM blobs WHERE id = 2');
    assert.equal(sha256(row.b), sha256(big));
    const [[after]] = await connection.query<Row[]>('SELECT 1 AS still');
    assert.equal(after.still, 1);
  });
  const [[stored]] = await using(connectDirect(cathode), (direct) => direct.query<Row[]>('SELECT SHA2(b, 256) AS sha FROM blobs WHERE id = 2'));
  assert.equal(stored.sha, sha256(big));
});

test('compressed session: multi-statements, errors and transactions', async () => {
  await using(cathode.connect({ compress: true, multipleStatements: true }), async (connection) => {
    const [results] = await connection.query('SELECT 1 AS a; SELECT COUNT(*) AS n FROM nums; DO 1');
    assert.equal((results as unknown[]).length, 3);
    await assert.rejects(connection.query('SELECT * FROM missing_table'), { errno: 1146 });
    await connection.query('BEGIN');
    await connection.query("INSERT INTO nums VALUES (100000, 'x')");
    await connection.query('ROLLBACK');
    const [[row]] = await connection.query<Row[]>('SELECT COUNT(*) AS n FROM nums WHERE n = 100000');
    assert.equal(row.n, 0);
  });
});

test('compressed and uncompressed sessions share backend connections without mixing framing', async () => {
  for (let i = 0; i < 4; i++) {
    for (const compress of [true, false]) {
      await using(cathode.connect({ compress }), async (connection) => {
        const [rows] = await connection.query<Row[]>('SELECT n FROM nums WHERE n <= ? ORDER BY n', [i + 3]);
        assert.deepEqual(rows.map((row) => row.n), Array.from({ length: i + 3 }, (_, k) => k + 1));
      });
    }
  }
});
