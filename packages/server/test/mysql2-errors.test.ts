import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CommandByte, ResponseShape, decodeTextRow, encodeComQuery } from '@cathode/wire';
import type mysql from 'mysql2/promise';
import { connectDirect, using, wireError } from './support/direct.ts';
import { type TestCathode, startTestCathode } from './support/harness.ts';
import { RawClient } from './support/raw-client.ts';

// Errors: the backend's pass through byte for byte; Cathode's own look like MariaDB's.

let cathode: TestCathode;
type Row = mysql.RowDataPacket;

before(async () => {
  cathode = await startTestCathode();
  await using(connectDirect(cathode), async (direct) => {
    await direct.query('CREATE TABLE parent (id INT PRIMARY KEY, name VARCHAR(5) NOT NULL, UNIQUE KEY (name)) ENGINE=InnoDB');
    await direct.query('CREATE TABLE child (id INT PRIMARY KEY, parent_id INT, FOREIGN KEY (parent_id) REFERENCES parent (id)) ENGINE=InnoDB');
    await direct.query("INSERT INTO parent VALUES (1, 'one')");
  });
});
after(() => cathode.close());

const FAILING: Array<{ label: string; sql: string; values?: unknown[]; errno: number }> = [
  { label: 'missing table', sql: 'SELECT * FROM no_such_table', errno: 1146 },
  { label: 'duplicate primary key', sql: "INSERT INTO parent VALUES (1, 'dup')", errno: 1062 },
  { label: 'duplicate unique key', sql: "INSERT INTO parent VALUES (2, 'one')", errno: 1062 },
  { label: 'unknown column', sql: 'SELECT nope FROM parent', errno: 1054 },
  { label: 'syntax error', sql: 'SELEKT 1', errno: 1064 },
  { label: 'data too long (strict mode)', sql: "INSERT INTO parent VALUES (3, 'much too long')", errno: 1406 },
  { label: 'NULL into NOT NULL', sql: 'INSERT INTO parent VALUES (4, NULL)', errno: 1048 },
  { label: 'foreign key violation', sql: 'INSERT INTO child VALUES (1, 42)', errno: 1452 },
  { label: 'SIGNAL with a custom SQLSTATE and message', sql: "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'custom ünïcode failure 😀', MYSQL_ERRNO = 3999", errno: 3999 },
  { label: 'parameterised duplicate key', sql: 'INSERT INTO parent VALUES (?, ?)', values: [1, 'x'], errno: 1062 },
];

for (const { label, sql, values, errno } of FAILING) {
  test(`backend error passes through unchanged with query: ${label}`, async () => {
    const run = (connection: mysql.Connection) => wireError(connection.query(sql, values));
    const proxied = await using(cathode.connect(), run);
    const direct = await using(connectDirect(cathode), run);
    assert.equal(direct.errno, errno);
    assert.deepStrictEqual(proxied, direct);
  });

  test(`backend error passes through unchanged with execute: ${label}`, async () => {
    if (sql.startsWith('SIGNAL')) return; // SIGNAL cannot be prepared
    const run = (connection: mysql.Connection) => wireError(connection.execute(sql, (values ?? []) as never));
    const proxied = await using(cathode.connect(), run);
    const direct = await using(connectDirect(cathode), run);
    assert.equal(direct.errno, errno);
    assert.deepStrictEqual(proxied, direct);
  });
}

test('after a backend error the session carries on, in and out of a transaction', async () => {
  await using(cathode.connect(), async (connection) => {
    await connection.query('BEGIN');
    await connection.query("INSERT INTO parent VALUES (10, 'ten')");
    assert.equal((await wireError(connection.query("INSERT INTO parent VALUES (10, 'again')"))).errno, 1062);
    const [[inside]] = await connection.query<Row[]>('SELECT COUNT(*) AS n, @@in_transaction AS tx FROM parent WHERE id = 10');
    assert.deepEqual({ ...inside }, { n: 1, tx: 1 }, 'the error did not end the transaction');
    await connection.query('ROLLBACK');
    const [[afterRollback]] = await connection.query<Row[]>('SELECT COUNT(*) AS n FROM parent WHERE id = 10');
    assert.equal(afterRollback.n, 0);
  });
});

test('warnings are reported like MariaDB reports them', async () => {
  const run = async (connection: mysql.Connection) => {
    const [result] = await connection.query<mysql.ResultSetHeader>("INSERT IGNORE INTO parent VALUES (1, 'dup'), (20, 'twenty')");
    const [warnings] = await connection.query('SHOW WARNINGS');
    await connection.query('DELETE FROM parent WHERE id = 20');
    return { affectedRows: result.affectedRows, warningStatus: result.warningStatus, warnings };
  };
  const proxied = await using(cathode.connect(), run);
  const direct = await using(connectDirect(cathode), run);
  assert.deepStrictEqual(proxied, direct);
  assert.ok(direct.warningStatus >= 1);
  assert.ok((direct.warnings as unknown[]).length >= 1);
});

test('USE of a schema the user may not use is refused with 1044 and the session keeps its schema', async () => {
  await using(cathode.connect(), async (connection) => {
    assert.deepEqual(await wireError(connection.query('USE mysql')), {
      errno: 1044,
      sqlState: '42000',
      message: "Access denied for user 'cathode'@'127.0.0.1' to database 'mysql'",
    });
    const [[row]] = await connection.query<Row[]>('SELECT DATABASE() AS db');
    assert.equal(row.db, cathode.schema);
  });
});

for (const [name, command] of [['COM_SHUTDOWN', CommandByte.COM_SHUTDOWN], ['COM_DAEMON', CommandByte.COM_DAEMON], ['COM_BINLOG_DUMP', CommandByte.COM_BINLOG_DUMP], ['0xee', 0xee]] as const) {
  test(`an unknown or refused command (${name}) gets ERR 1047 / 08S01 and the connection still works`, async () => {
    const client = await RawClient.connect({ port: cathode.port, user: 'cathode', password: 'cathode', database: cathode.schema });
    try {
      const response = await client.command(Buffer.of(command), ResponseShape.OK);
      assert.equal(response.length, 1);
      const error = RawClient.errorOf(response);
      assert.deepEqual(error && { errno: error.errno, sqlState: error.sqlState, message: error.message }, { errno: 1047, sqlState: '08S01', message: 'Unknown command' });
      const result = await client.command(encodeComQuery('SELECT 1'), ResponseShape.RESULT);
      assert.equal(RawClient.errorOf(result), undefined);
      // column count, column, EOF, row, EOF
      assert.equal(result.length, 5);
      assert.deepEqual(decodeTextRow(result[3], 1).map((value) => value?.toString()), ['1']);
    } finally {
      client.close();
    }
  });
}
