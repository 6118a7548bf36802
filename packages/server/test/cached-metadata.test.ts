import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { adminQuery, testMariaDb } from '@cathode/testkit';
import { MariaDbCapabilityFlags, ResponseShape, decodeColumnDefinition, decodeStmtPrepareOk, encodeComQuery, encodeComStmtPrepare, encodeStmtExecute } from '@cathode/wire';
import { type TestCathode, startTestCathode } from './support/harness.ts';
import { RawClient } from './support/raw-client.ts';

// MARIADB_CLIENT_CACHE_METADATA through Cathode: executes skip the column definitions a client has
// cached. When Cathode prepares a statement again on another connection itself, the server counts
// the definitions as sent (to Cathode) and skips them, so Cathode must hand them to the client:
// here the table changed in between, and a client left with its old definitions would misread rows.
// One reactor and a pool that opens connections only on demand (at most two): which connection
// serves what is decided by the order of the test's steps.

let cathode: TestCathode;

before(async () => {
  const mariadb = await testMariaDb();
  cathode = await startTestCathode({
    reactors: 1,
    backends: [{ name: 'primary', host: mariadb.host, port: mariadb.port, user: mariadb.adminUser, password: mariadb.adminPassword, pool: { min: 0, max: 2 } }],
  });
  await adminQuery(mariadb, `CREATE TABLE ${cathode.schema}.m (a INT); INSERT INTO ${cathode.schema}.m VALUES (1)`);
});
after(() => cathode?.close());

const execute = (statementId: number) =>
  encodeStmtExecute({ statementId, flags: 0, iterationCount: 1, nullBitmap: Buffer.alloc(0), newParamsBound: false, parameterTypes: undefined, values: Buffer.alloc(0) });

/** Clients with the same capabilities share one pool of backend connections. */
const connectMariaDbClient = () =>
  RawClient.connect({
    port: cathode.port,
    user: 'cathode',
    password: 'cathode',
    database: cathode.schema,
    mariaDbCapabilities: MariaDbCapabilityFlags.MARIADB_CLIENT_CACHE_METADATA,
  });

test('a statement prepared again on another connection after a schema change gives the client its new columns', async () => {
  const client = await connectMariaDbClient();
  const holder = await connectMariaDbClient();
  try {
    assert.equal(client.cacheMetadata, true, 'Cathode offers metadata caching to a MariaDB client');
    const prepared = await client.command(encodeComStmtPrepare('SELECT * FROM m'), ResponseShape.PREPARE);
    const { statementId, columnCount } = decodeStmtPrepareOk(prepared[0]);
    assert.equal(columnCount, 1);
    const cached = await client.command(execute(statementId), ResponseShape.BINARY_RESULT);
    assert.equal(cached[0].toString('hex'), '0100', 'one column, definitions skipped: the client has them from the prepare');

    // Another session takes the connection the statement lives on and keeps it (a transaction).
    for (const sql of ['BEGIN', 'SELECT 1']) assert.equal(RawClient.errorOf(await holder.command(encodeComQuery(sql), ResponseShape.RESULT)), undefined);
    await adminQuery(await testMariaDb(), `ALTER TABLE ${cathode.schema}.m ADD COLUMN b INT DEFAULT 7`);

    const moved = await client.command(execute(statementId), ResponseShape.BINARY_RESULT);
    assert.equal(moved[0].toString('hex'), '0201', 'two columns now, and their definitions follow');
    assert.deepEqual(
      moved.slice(1, 3).map((payload) => decodeColumnDefinition(payload).name),
      ['a', 'b'],
    );
    // Definitions, the EOF after them, one row, the final EOF.
    assert.equal(moved.length, 1 + 2 + 1 + 1 + 1);
    const again = await client.command(execute(statementId), ResponseShape.BINARY_RESULT);
    assert.equal(again[0].toString('hex'), '0200', 'cached from then on');
  } finally {
    holder.close();
    client.close();
  }
});
