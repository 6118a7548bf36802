import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { connectDirect, using } from './support/direct.ts';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// Values larger than one protocol packet (16 MiB - 1): split into several packets on the way in
// (client -> Cathode -> MariaDB) and on the way out, in both protocols.

let cathode: TestCathode;
const BLOB = randomBytes(17 * 1024 * 1024);
const BLOB_SHA256 = createHash('sha256').update(BLOB).digest('hex');
const sha256 = (value: Buffer) => createHash('sha256').update(value).digest('hex');

before(async () => {
  cathode = await startTestCathode();
  await using(connectDirect(cathode), (direct) => direct.query('CREATE TABLE big (id INT PRIMARY KEY, b LONGBLOB)'));
});
after(() => cathode.close());

async function storedSha256(id: number): Promise<{ sha: string; length: number }> {
  return using(connectDirect(cathode), async (direct) => {
    const [rows] = await direct.query<mysql.RowDataPacket[]>('SELECT SHA2(b, 256) AS sha, LENGTH(b) AS length FROM big WHERE id = ?', [id]);
    return { sha: rows[0].sha, length: Number(rows[0].length) };
  });
}

test('a 17 MiB BLOB inserted with execute (split COM_STMT_EXECUTE) arrives intact', async () => {
  await using(cathode.connect(), (connection) => connection.execute('INSERT INTO big VALUES (?, ?)', [1, BLOB]));
  assert.deepEqual(await storedSha256(1), { sha: BLOB_SHA256, length: BLOB.length });
});

test('a 17 MiB BLOB inserted with query (escaped into a 34 MiB COM_QUERY) arrives intact', async () => {
  await using(cathode.connect(), (connection) => connection.query('INSERT INTO big VALUES (?, ?)', [2, BLOB]));
  assert.deepEqual(await storedSha256(2), { sha: BLOB_SHA256, length: BLOB.length });
});

test('a 17 MiB BLOB reads back through Cathode (split rows) with query and with execute', async () => {
  await using(connectDirect(cathode), (direct) => direct.query('INSERT INTO big VALUES (3, ?) ON DUPLICATE KEY UPDATE b = VALUES(b)', [BLOB]));
  await using(cathode.connect(), async (connection) => {
    for (const id of [1, 2, 3]) {
      const [queried] = await connection.query<mysql.RowDataPacket[]>('SELECT id, b, LENGTH(b) AS n FROM big WHERE id = ?', [id]);
      assert.equal(queried[0].b.length, BLOB.length);
      assert.equal(sha256(queried[0].b), BLOB_SHA256);
      const [executed] = await connection.execute<mysql.RowDataPacket[]>('SELECT id, b, LENGTH(b) AS n FROM big WHERE id = ?', [id]);
      assert.equal(sha256(executed[0].b), BLOB_SHA256);
    }
    // Several big rows in one result, then a normal statement on the same connection.
    const [all] = await connection.query<mysql.RowDataPacket[]>('SELECT id, b FROM big ORDER BY id');
    assert.deepEqual(all.map((row) => [row.id, sha256(row.b)]), [1, 2, 3].map((id) => [id, BLOB_SHA256]));
    const [[row]] = await connection.query<mysql.RowDataPacket[]>('SELECT 1 AS one');
    assert.equal(row.one, 1);
  });
});

// Payloads of exactly 16 MiB - 1 bytes are followed by an empty packet: values sized so that the
// text row (lenenc length + n), the binary row (header, NULL bitmap, lenenc + n) or mysql2's
// COM_STMT_EXECUTE (28 bytes before the value) is exactly that long.
for (const [label, size] of [
  ['text row', 0xffffff - 4],
  ['binary row', 0xffffff - 6],
  ['COM_STMT_EXECUTE', 0xffffff - 28],
] as const) {
  test(`a value making the ${label} exactly 16 MiB - 1 bytes (empty trailing packet) round-trips`, async () => {
    const exact = randomBytes(size);
    const id = 100 + size - 0xfffff0;
    await using(cathode.connect(), async (connection) => {
      await connection.execute('INSERT INTO big VALUES (?, ?)', [id, exact]);
      const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT b FROM big WHERE id = ?', [id]);
      assert.equal(sha256(rows[0].b), sha256(exact));
      const [executed] = await connection.execute<mysql.RowDataPacket[]>('SELECT b FROM big WHERE id = ?', [id]);
      assert.equal(sha256(executed[0].b), sha256(exact));
      const [[after]] = await connection.query<mysql.RowDataPacket[]>('SELECT 1 AS still');
      assert.equal(after.still, 1);
    });
    assert.deepEqual(await storedSha256(id), { sha: sha256(exact), length: exact.length });
  });
}
