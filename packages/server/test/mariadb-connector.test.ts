import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testMariaDb } from '@cathode/testkit';
import { ColumnType, ResponseShape, encodeComStmtClose, encodeComStmtPrepare, encodeExecuteParameters, encodeStmtExecute, decodeStmtPrepareOk } from '@cathode/wire';
import mariadb, { type Connection, type ConnectionConfig, type PoolConfig } from 'mariadb';
import { type TestCathode, startTestCathode } from './support/harness.ts';
import { RawClient } from './support/raw-client.ts';

// MariaDB Connector/Node.js (npm `mariadb`) with its defaults (pipelining, bulk batches) through
// Cathode, each operation compared with the same one against MariaDB directly.

let cathode: TestCathode;
const BULK_OPERATIONS = 1n << 34n;

before(async () => {
  cathode = await startTestCathode({ reactors: 1 });
  await cathode.direct(`CREATE TABLE ${cathode.schema}.log (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(50))`);
  await cathode.direct(
    `CREATE PROCEDURE ${cathode.schema}.p_out(IN a INT, OUT doubled INT, INOUT greeting VARCHAR(40))
     BEGIN SET doubled = a * 2; SET greeting = CONCAT(greeting, ', world'); SELECT a AS echoed, 'row' AS kind; END`,
  );
});
after(() => cathode.close());

function proxiedOptions(more: ConnectionConfig = {}): ConnectionConfig {
  return { host: '127.0.0.1', port: cathode.port, user: 'cathode', password: 'cathode', database: cathode.schema, ...more };
}

function directOptions(more: ConnectionConfig = {}): ConnectionConfig {
  const { mariadb: server } = cathode;
  return { host: server.host, port: server.port, user: server.adminUser, password: server.adminPassword, database: cathode.schema, ...more };
}

/** Runs `work` on a fresh connection through Cathode and on one to MariaDB: both results, to compare. */
async function both<T>(work: (connection: Connection, side: 'proxied' | 'direct') => Promise<T>, more: ConnectionConfig = {}): Promise<{ proxied: T; direct: T }> {
  const run = async (options: ConnectionConfig, side: 'proxied' | 'direct') => {
    const connection = await mariadb.createConnection(options);
    try {
      return await work(connection, side);
    } finally {
      await connection.end().catch(() => connection.destroy());
    }
  };
  return { proxied: await run(proxiedOptions(more), 'proxied'), direct: await run(directOptions(more), 'direct') };
}

/** The wire error a call failed with, for comparing with MariaDB's own. */
async function wireError(work: Promise<unknown>): Promise<{ errno: number; sqlState: string }> {
  try {
    await work;
  } catch (error) {
    const { errno, sqlState } = error as { errno: number; sqlState: string };
    return { errno, sqlState };
  }
  throw new Error('expected the call to fail');
}

test("MariaDB's last-prepared statement id 0xFFFFFFFF: a pipelined execute runs the statement just prepared", async () => {
  const { proxied, direct } = await both(async (connection) => {
    // The first execute of a text prepares and executes in one go: the execute names id 0xFFFFFFFF.
    const first = await connection.execute('SELECT ? AS v, ? + 1 AS w', ['one', 41]);
    const second = await connection.execute('SELECT CONCAT(?, ?) AS joined', ['a', 'b']);
    return [first, second];
  });
  assert.deepStrictEqual(proxied, direct);
  assert.deepStrictEqual(direct, [[{ v: 'one', w: 42n }], [{ joined: 'ab' }]]);
});

test('a pipelined execute after a prepare that failed fails as on MariaDB and does not run the statement prepared before', async () => {
  const { proxied, direct } = await both(async (connection, side) => {
    // Cached by the connector, so it stays prepared: the id 0xFFFFFFFF must not fall back to it.
    await connection.execute('INSERT INTO log (v) VALUES (?)', [`${side} first`]);
    const error = await wireError(connection.execute('INSERT INTO no_such_table (v) VALUES (?)', [`${side} second`]));
    const rows = await connection.query('SELECT v FROM log WHERE v LIKE ? ORDER BY id', [`${side} %`]);
    return { error, rows: rows.map((row: { v: string }) => row.v.replace(side, 'SIDE')) };
  });
  assert.deepStrictEqual(proxied, direct);
  assert.deepStrictEqual(direct, { error: { errno: 1146, sqlState: '42S02' }, rows: ['SIDE first'] });
});

/** Prepare, execute 0xFFFFFFFF, a failed prepare, execute 0xFFFFFFFF, close the last one, execute 0xFFFFFFFF. */
async function lastPreparedConversation(client: RawClient): Promise<unknown[]> {
  const execute = async () => {
    const response = await client.command(
      encodeStmtExecute({ statementId: 0xffffffff, flags: 0, iterationCount: 1, ...encodeExecuteParameters([{ type: ColumnType.LONG, value: 5 }]) }),
      ResponseShape.BINARY_RESULT,
    );
    const error = RawClient.errorOf(response);
    return error ? { errno: error.errno, message: error.message } : response.slice(-2, -1).map((row) => row.toString('hex'));
  };
  const answers: unknown[] = [];
  await client.command(encodeComStmtPrepare('SELECT ? AS good'), ResponseShape.PREPARE);
  answers.push(await execute());
  answers.push(RawClient.errorOf(await client.command(encodeComStmtPrepare('SELECT FROM WHERE ?'), ResponseShape.PREPARE))?.errno);
  answers.push(await execute());
  const prepared = await client.command(encodeComStmtPrepare('SELECT ? AS closed'), ResponseShape.PREPARE);
  client.send(encodeComStmtClose(decodeStmtPrepareOk(prepared[0]).statementId));
  answers.push(await execute());
  return answers;
}

test('the last-prepared id after a failed prepare and after closing the last statement: 1243, as on MariaDB', async () => {
  const server = await testMariaDb();
  const proxied = await RawClient.connect({ port: cathode.port, user: 'cathode', password: 'cathode', database: cathode.schema });
  const direct = await RawClient.connect({ port: server.port, user: server.adminUser, password: server.adminPassword, database: cathode.schema });
  try {
    const viaCathode = await lastPreparedConversation(proxied);
    const viaMariaDb = await lastPreparedConversation(direct);
    assert.deepEqual(viaCathode, viaMariaDb);
    const unknown = { errno: 1243, message: 'Unknown prepared statement handler (4294967295) given to mysqld_stmt_execute' };
    assert.deepEqual(viaMariaDb, [['000005000000'], 1064, unknown, unknown]);
  } finally {
    proxied.close();
    direct.close();
  }
});

test('binary-protocol datatypes through execute, and query with placeholders: the same values as MariaDB', async () => {
  const create = (table: string) =>
    cathode.direct(
      `CREATE TABLE ${cathode.schema}.${table} (id INT AUTO_INCREMENT PRIMARY KEY, tiny TINYINT, small SMALLINT UNSIGNED, i INT, u INT UNSIGNED,
       big BIGINT, ubig BIGINT UNSIGNED, dec1 DECIMAL(30,10), f FLOAT, d DOUBLE, dt DATE, dtm DATETIME(6), tm TIME(6), yr YEAR,
       s VARCHAR(50), bl BLOB, js JSON, n INT NULL)`,
    );
  await create('types_proxied');
  await create('types_direct');
  const values = [
    -128, 65535, -2147483648, 4294967295, 2n ** 63n - 1n, 2n ** 64n - 1n, '12345678901234567890.0123456789', 1.5, Math.PI,
    '2024-02-29', '2024-02-29 23:59:58.123456', '-838:59:59.000001', 2024, 'ünïcode 😀', Buffer.from([0, 1, 2, 0xfb, 0xff]), '{"a": [1, 2.5, null], "b": "x"}', null,
  ];
  const { proxied, direct } = await both(
    async (connection, side) => {
      const table = `types_${side}`;
      const inserted = await connection.execute(`INSERT INTO ${table} (tiny, small, i, u, big, ubig, dec1, f, d, dt, dtm, tm, yr, s, bl, js, n) VALUES (${values.map(() => '?').join(', ')})`, values);
      const binary = await connection.execute(`SELECT * FROM ${table} WHERE id = ? AND big = ? AND n IS NULL`, [inserted.insertId, 2n ** 63n - 1n]);
      const text = await connection.query(`SELECT * FROM ${table} WHERE id = ? AND ubig = ?`, [inserted.insertId, 2n ** 64n - 1n]);
      const computed = await connection.execute('SELECT ? + 1 AS beyond, ? AS dec2, ? AS blob1, ? AS nothing', [2n ** 53n, '0.1', Buffer.from('xyz'), null]);
      return { inserted, binary, text, computed };
    },
    { dateStrings: true },
  );
  assert.deepStrictEqual(proxied, direct);
  const [row] = direct.binary as Record<string, unknown>[];
  assert.deepStrictEqual(
    { big: row.big, ubig: row.ubig, dec1: row.dec1, dtm: row.dtm, tm: row.tm, bl: row.bl, js: row.js, n: row.n },
    { big: 2n ** 63n - 1n, ubig: 2n ** 64n - 1n, dec1: '12345678901234567890.0123456789', dtm: '2024-02-29 23:59:58.123456', tm: '-838:59:59.000001', bl: Buffer.from([0, 1, 2, 0xfb, 0xff]), js: { a: [1, 2.5, null], b: 'x' }, n: null },
  );
  assert.deepStrictEqual((direct.computed as Record<string, unknown>[])[0].beyond, 2n ** 53n + 1n);
});

test("a pool's execute: the same answers as a pool on MariaDB", async () => {
  const run = async (options: PoolConfig) => {
    const pool = mariadb.createPool({ ...options, connectionLimit: 3 });
    try {
      return await Promise.all(Array.from({ length: 24 }, (_, i) => pool.execute('SELECT ? AS n, CONCAT(?, ?) AS s, ? * 2 AS twice', [i, 'v', String(i), 2n ** 60n + BigInt(i)])));
    } finally {
      await pool.end();
    }
  };
  const proxied = await run(proxiedOptions());
  const direct = await run(directOptions());
  assert.deepStrictEqual(proxied, direct);
  assert.deepStrictEqual(direct[23], [{ n: 23, s: 'v23', twice: (2n ** 60n + 23n) * 2n }]);
});

test('CALL with OUT and INOUT parameters: the result sets and the parameters come back as from MariaDB', async () => {
  const { proxied, direct } = await both(async (connection) => {
    const executed = await connection.execute('CALL p_out(?, ?, ?)', [21, null, 'hello']);
    await connection.query("SET @greeting = 'hi'");
    const queried = await connection.query('CALL p_out(?, @doubled, @greeting)', [4]);
    const variables = await connection.query('SELECT @doubled AS doubled, @greeting AS greeting');
    return { executed, queried, variables };
  });
  assert.deepStrictEqual(proxied, direct);
  const executed = direct.executed as unknown[];
  assert.deepStrictEqual(executed[0], [{ echoed: 21, kind: 'row' }]);
  assert.deepStrictEqual(executed[1], [{ doubled: 42, greeting: 'hello, world' }]);
});

test('changeUser: session state is dropped and statements work afterwards, as on MariaDB', async () => {
  const { proxied, direct } = await both(async (connection, side) => {
    await connection.query('SET @kept = 5');
    const before = await connection.execute('SELECT @kept AS kept, ? AS v', [1]);
    await connection.changeUser(side === 'proxied' ? { user: 'cathode', password: 'cathode', database: cathode.schema } : { user: cathode.mariadb.adminUser, password: cathode.mariadb.adminPassword, database: cathode.schema });
    const afterwards = await connection.execute('SELECT @kept AS kept, ? AS v, DATABASE() AS db', [2]);
    // The connector still holds the statement it prepared before: COM_CHANGE_USER closed it.
    const { errno: cachedStatement } = await wireError(connection.execute('SELECT @kept AS kept, ? AS v', [3]));
    return { before, afterwards, cachedStatement };
  });
  assert.deepStrictEqual(proxied, direct);
  assert.deepStrictEqual(direct.afterwards, [{ kept: null, v: 2, db: cathode.schema }]);
  assert.equal(direct.cachedStatement, 1243);
});

test('batch() inserts 10,000 rows with COM_STMT_BULK_EXECUTE: the same counts, insert ids and rows as on MariaDB', async () => {
  const create = (table: string) => cathode.direct(`CREATE TABLE ${cathode.schema}.${table} (id INT AUTO_INCREMENT PRIMARY KEY, n INT NOT NULL, s VARCHAR(20), d DATETIME(6) NULL)`);
  await create('batch_proxied');
  await create('batch_direct');
  const rows = Array.from({ length: 10_000 }, (_, i) => [i, `row ${i}`, i % 7 === 0 ? null : `2024-01-01 00:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(6, '0')}`]);
  const { proxied, direct } = await both(async (connection, side) => {
    // Not in the connector's types: the capabilities it negotiated.
    const bulk = ((connection.info as unknown as { clientCapabilities: bigint }).clientCapabilities & BULK_OPERATIONS) !== 0n;
    const result = await connection.batch(`INSERT INTO batch_${side} (n, s, d) VALUES (?, ?, ?)`, rows);
    const [counted] = await connection.query(`SELECT COUNT(*) AS rowCount, SUM(n) AS total, MIN(id) AS first, MAX(id) AS last, COUNT(d) AS dated, MAX(d) AS latest FROM batch_${side}`);
    const sample = await connection.query(`SELECT id, n, s, d FROM batch_${side} WHERE id IN (1, 7, 5000, 10000) ORDER BY id`);
    return { bulk, result, counted, sample };
  }, { dateStrings: true });
  assert.deepStrictEqual(proxied, direct);
  assert.equal(proxied.bulk, true, 'Cathode offers bulk operations: batch() sends COM_STMT_BULK_EXECUTE');
  assert.deepStrictEqual(direct.counted, { rowCount: 10_000n, total: '49995000', first: 1, last: 10_000, dated: 8_571n, latest: '2024-01-01 00:00:59.009959' });
  assert.equal((direct.result as { affectedRows: number }).affectedRows, 10_000);
});
