import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testMariaDb } from '@cathode/testkit';
import {
  BulkExecuteFlags,
  CapabilityFlags,
  ColumnType,
  MariaDbCapabilityFlags,
  ResponseShape,
  decodeOkPacket,
  decodeStmtPrepareOk,
  decodeTextRow,
  encodeBulkRows,
  encodeComQuery,
  encodeComStmtPrepare,
  encodeExecuteParameters,
  encodeStmtBulkExecute,
  encodeStmtExecute,
} from '@cathode/wire';
import mariadb, { type Connection, type ConnectionConfig } from 'mariadb';
import { type TestCathode, startTestCathode } from './support/harness.ts';
import { RawClient } from './support/raw-client.ts';

// COM_STMT_BULK_EXECUTE through Cathode: relayed to the statement's backend connection like an
// execute, prepared again (types and all) when another connection serves it. One reactor, so all
// sessions share one pool and other sessions can hold a given backend connection.

let cathode: TestCathode;
const BULK = MariaDbCapabilityFlags.MARIADB_CLIENT_STMT_BULK_OPERATIONS;

before(async () => {
  cathode = await startTestCathode({ reactors: 1 });
});
after(() => cathode.close());

function proxiedOptions(): ConnectionConfig {
  return { host: '127.0.0.1', port: cathode.port, user: 'cathode', password: 'cathode', database: cathode.schema };
}

function directOptions(): ConnectionConfig {
  const { mariadb: server } = cathode;
  return { host: server.host, port: server.port, user: server.adminUser, password: server.adminPassword, database: cathode.schema };
}

async function withConnection<T>(options: ConnectionConfig, work: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await mariadb.createConnection(options);
  try {
    return await work(connection);
  } finally {
    await connection.end().catch(() => connection.destroy());
  }
}

/** A session through Cathode that can begin a transaction and say which backend thread serves it. */
interface Holder {
  beginAndTellBackend(): Promise<number>;
  close(): void;
}

/**
 * Holds idle backend connections in transactions until one of them is `backend` (a thread id).
 * The holders must have the client's capability flavor: backend connections are pooled per flavor.
 */
async function holdBackend(backend: number, open: () => Promise<Holder>): Promise<Holder[]> {
  const holders: Holder[] = [];
  for (let held = false; !held; ) {
    const holder = await open();
    holders.push(holder);
    held = (await holder.beginAndTellBackend()) === backend;
    assert.ok(holders.length < 60, 'some session must get the backend connection held');
  }
  return holders;
}

async function connectorHolder(): Promise<Holder> {
  const connection = await mariadb.createConnection(proxiedOptions());
  return {
    async beginAndTellBackend() {
      await connection.query('BEGIN');
      const [{ backend }] = await connection.query('SELECT @@pseudo_thread_id AS backend');
      return Number(backend);
    },
    close: () => connection.destroy(),
  };
}

async function rawHolder(): Promise<Holder> {
  const client = await RawClient.connect({ port: cathode.port, user: 'cathode', password: 'cathode', database: cathode.schema, mariaDbCapabilities: BULK });
  return {
    async beginAndTellBackend() {
      await client.command(encodeComQuery('BEGIN'), ResponseShape.RESULT);
      const [[backend]] = await queryRows(client, 'SELECT @@pseudo_thread_id');
      return Number(backend);
    },
    close: () => client.close(),
  };
}

test('batch() on a statement prepared on another backend connection: prepared again there, every row inserted', async () => {
  const create = (table: string) => cathode.direct(`CREATE TABLE ${cathode.schema}.${table} (id INT AUTO_INCREMENT PRIMARY KEY, n INT, s VARCHAR(20), backend BIGINT)`);
  await create('moved_proxied');
  await create('moved_direct');
  const first = Array.from({ length: 50 }, (_, i) => [i, `first ${i}`]);
  const second = Array.from({ length: 70 }, (_, i) => [1000 + i, i % 5 === 0 ? null : `second ${i}`]);
  const holders: Holder[] = [];
  try {
    const proxied = await withConnection(proxiedOptions(), async (connection) => {
      const sql = 'INSERT INTO moved_proxied (n, s, backend) VALUES (?, ?, @@pseudo_thread_id)';
      // The connector keeps the statement prepared and batches on its id both times.
      const one = await connection.batch(sql, first);
      const [{ backend }] = await connection.query('SELECT DISTINCT backend FROM moved_proxied');
      holders.push(...(await holdBackend(Number(backend), connectorHolder)));
      const two = await connection.batch(sql, second);
      const backends = await connection.query('SELECT backend, COUNT(*) AS count FROM moved_proxied GROUP BY backend ORDER BY MIN(id)');
      assert.equal(backends.length, 2, 'the second batch ran on another backend connection');
      assert.deepEqual(backends.map((row: { count: bigint }) => row.count), [50n, 70n]);
      return { one, two, rows: await connection.query('SELECT id, n, s FROM moved_proxied ORDER BY id') };
    });
    const direct = await withConnection(directOptions(), async (connection) => {
      const sql = 'INSERT INTO moved_direct (n, s, backend) VALUES (?, ?, @@pseudo_thread_id)';
      return { one: await connection.batch(sql, first), two: await connection.batch(sql, second), rows: await connection.query('SELECT id, n, s FROM moved_direct ORDER BY id') };
    });
    assert.deepStrictEqual(proxied, direct);
    assert.equal((direct.rows as unknown[]).length, 120);
  } finally {
    for (const holder of holders) holder.close();
  }
});

/** The text rows of a COM_QUERY answer (without column definitions: no metadata caching asked for). */
async function queryRows(client: RawClient, sql: string): Promise<(string | null)[][]> {
  const packets = await client.command(encodeComQuery(sql), ResponseShape.RESULT);
  const error = RawClient.errorOf(packets);
  if (error) throw error;
  const columns = packets[0][0];
  return packets.slice(1 + columns + 1, -1).map((payload) => decodeTextRow(payload, columns).map((value) => (value === null ? null : value.toString())));
}

function answer(packets: Buffer[]): unknown {
  const error = RawClient.errorOf(packets);
  if (error) return { errno: error.errno, message: error.message };
  const ok = decodeOkPacket(packets[0], CapabilityFlags.CLIENT_PROTOCOL_41);
  return { affectedRows: ok.affectedRows, lastInsertId: ok.lastInsertId };
}

const types = Buffer.from([ColumnType.LONG, 0, ColumnType.VAR_STRING, 0]);

test('a bulk execute without types, on another backend connection than the execute that sent them: Cathode sends them', async () => {
  await cathode.direct(`CREATE TABLE ${cathode.schema}.typed (id INT AUTO_INCREMENT PRIMARY KEY, n INT, s VARCHAR(20), backend BIGINT)`);
  const client = await RawClient.connect({ port: cathode.port, user: 'cathode', password: 'cathode', database: cathode.schema, mariaDbCapabilities: BULK });
  const holders: Holder[] = [];
  try {
    const prepared = await client.command(encodeComStmtPrepare('INSERT INTO typed (n, s, backend) VALUES (?, ?, @@pseudo_thread_id)'), ResponseShape.PREPARE);
    const { statementId } = decodeStmtPrepareOk(prepared[0]);
    const executed = await client.command(
      encodeStmtExecute({ statementId, flags: 0, iterationCount: 1, ...encodeExecuteParameters([{ type: ColumnType.LONG, value: 1 }, { type: ColumnType.VAR_STRING, value: 'typed' }]) }),
      ResponseShape.BINARY_RESULT,
    );
    assert.deepEqual(answer(executed), { affectedRows: 1, lastInsertId: 1 });
    const [[backend]] = await queryRows(client, 'SELECT backend FROM typed');
    holders.push(...(await holdBackend(Number(backend), rawHolder)));
    // Types were sent with the execute only: the backend connection now serving has none.
    const rows = encodeBulkRows(types, [[2, 'two'], [3, null], [4, 'four']]);
    const bulk = await client.command(encodeStmtBulkExecute({ statementId, flags: 0, parameterTypes: undefined, rows }), ResponseShape.BINARY_RESULT);
    assert.equal((answer(bulk) as { affectedRows: number }).affectedRows, 3);
    const stored = await queryRows(client, 'SELECT n, s, backend FROM typed ORDER BY id');
    assert.deepEqual(stored.map(([n, s]) => [n, s]), [['1', 'typed'], ['2', 'two'], ['3', null], ['4', 'four']]);
    assert.notEqual(stored[1][2], backend, 'the bulk execute ran on another backend connection');
  } finally {
    client.close();
    for (const holder of holders) holder.close();
  }
});

/** What MariaDB refuses of bulk executes, and what it accepts: the answers, in order. */
async function refusalsConversation(bulkClient: RawClient, plainClient: RawClient): Promise<unknown[]> {
  const prepare = async (client: RawClient, sql: string) => decodeStmtPrepareOk((await client.command(encodeComStmtPrepare(sql), ResponseShape.PREPARE))[0]).statementId;
  const bulk = (client: RawClient, statementId: number, flags: number) =>
    client.command(encodeStmtBulkExecute({ statementId, flags, parameterTypes: flags & BulkExecuteFlags.SEND_TYPES_TO_SERVER ? types : undefined, rows: encodeBulkRows(types, [[1, 'x']]) }), ResponseShape.BINARY_RESULT).then(answer);
  const answers: unknown[] = [];
  const plain = await prepare(plainClient, 'INSERT INTO refusals (n, s) VALUES (?, ?)');
  answers.push(await bulk(plainClient, plain, BulkExecuteFlags.SEND_TYPES_TO_SERVER));
  const statement = await prepare(bulkClient, 'INSERT INTO refusals (n, s) VALUES (?, ?)');
  answers.push(await bulk(bulkClient, statement, 0));
  answers.push(await bulk(bulkClient, statement, BulkExecuteFlags.SEND_TYPES_TO_SERVER | BulkExecuteFlags.SEND_UNIT_RESULTS));
  answers.push(await bulk(bulkClient, 999, BulkExecuteFlags.SEND_TYPES_TO_SERVER));
  answers.push(await bulk(bulkClient, statement, BulkExecuteFlags.SEND_TYPES_TO_SERVER));
  // The types stay for a bulk execute without them, and for the last-prepared id.
  answers.push(await bulk(bulkClient, statement, 0));
  const selected = await prepare(bulkClient, 'SELECT ? AS n, ? AS s');
  answers.push(await bulk(bulkClient, selected, BulkExecuteFlags.SEND_TYPES_TO_SERVER));
  answers.push(await bulk(bulkClient, 0xffffffff, BulkExecuteFlags.SEND_TYPES_TO_SERVER));
  return answers;
}

test('bulk executes refused and accepted as by MariaDB: without the capability, without types, unit results, unknown ids, SELECTs', async () => {
  await cathode.direct(`CREATE TABLE ${cathode.schema}.refusals (id INT AUTO_INCREMENT PRIMARY KEY, n INT, s VARCHAR(20))`);
  const server = await testMariaDb();
  const run = async (options: { port: number; user: string; password: string }) => {
    const bulkClient = await RawClient.connect({ ...options, database: cathode.schema, mariaDbCapabilities: BULK });
    const plainClient = await RawClient.connect({ ...options, database: cathode.schema });
    try {
      return await refusalsConversation(bulkClient, plainClient);
    } finally {
      bulkClient.close();
      plainClient.close();
    }
  };
  const viaCathode = await run({ port: cathode.port, user: 'cathode', password: 'cathode' });
  await cathode.direct(`TRUNCATE TABLE ${cathode.schema}.refusals`);
  const viaMariaDb = await run({ port: server.port, user: server.adminUser, password: server.adminPassword });
  assert.deepEqual(viaCathode, viaMariaDb);
  const unsupported = { errno: 1295, message: 'This command is not supported in the prepared statement protocol yet' };
  assert.deepEqual(viaMariaDb.slice(0, 6), [
    unsupported,
    { errno: 1210, message: 'Incorrect arguments to mysqld_stmt_bulk_execute' },
    unsupported,
    { errno: 1243, message: 'Unknown prepared statement handler (999) given to mysqld_stmt_execute' },
    { affectedRows: 1, lastInsertId: 1 },
    { affectedRows: 1, lastInsertId: 2 },
  ]);
});

test('batch() of an INSERT … RETURNING: the result set comes back as from MariaDB, and LAST_INSERT_ID() after a batch agrees', async () => {
  const create = (table: string) => cathode.direct(`CREATE TABLE ${cathode.schema}.${table} (id INT AUTO_INCREMENT PRIMARY KEY, n INT, s VARCHAR(20))`);
  await create('returning_proxied');
  await create('returning_direct');
  const rows = Array.from({ length: 300 }, (_, i) => [i, `s${i}`]);
  const run = (options: ConnectionConfig, table: string) =>
    withConnection(options, async (connection) => {
      const returned = await connection.batch(`INSERT INTO ${table} (n, s) VALUES (?, ?) RETURNING id, s`, rows);
      const again = await connection.batch(`INSERT INTO ${table} (n, s) VALUES (?, ?) RETURNING id, s`, rows.slice(0, 3));
      await connection.batch(`INSERT INTO ${table} (n, s) VALUES (?, ?)`, rows.slice(0, 5));
      const [lastInsertId] = await connection.query('SELECT LAST_INSERT_ID() AS id');
      return { returned, again, lastInsertId };
    });
  const proxied = await run(proxiedOptions(), 'returning_proxied');
  const direct = await run(directOptions(), 'returning_direct');
  assert.deepStrictEqual(proxied, direct);
  assert.equal((direct.returned as unknown[]).length, 300);
  assert.equal(((direct.again as unknown[])[2] as { s: string }).s, 's2');
});
