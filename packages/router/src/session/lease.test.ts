import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ServerStatus } from '@cathode/wire';
import { FakeBackend } from '../testing/fake-backend.ts';
import { leaseHolder, nodesOf, poolOf } from '../testing/lease-fixtures.ts';
import { until } from '../testing/until.ts';
import { Lease, LeaseCancelledError } from './lease.ts';

const AUTOCOMMIT = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
const IN_TRANSACTION = ServerStatus.SERVER_STATUS_IN_TRANS | ServerStatus.SERVER_STATUS_AUTOCOMMIT;

/** One fake backend behind a one-connection pool, and two sessions' leases on its node. */
async function setUp() {
  const backend = await FakeBackend.start('b0');
  const [node] = nodesOf([backend]);
  const pool = poolOf(node, 1);
  const holderA = leaseHolder();
  const holderB = leaseHolder();
  return {
    backend,
    pool,
    a: new Lease(node, pool, holderA),
    b: new Lease(node, pool, holderB),
    /** The commands the backend received, as 'COM_NAME text'. */
    received: () => backend.log.map((command) => `${command.name} ${command.text}`.trim()),
    async [Symbol.asyncDispose]() {
      pool.close();
      await backend.stop();
    },
  };
}

describe('Lease', () => {
  test('a connection given back after an untracked statement is reset before another session gets it', async () => {
    await using setup = await setUp();
    const connection = await setup.a.checkout();
    setup.a.untracked = 'CALL';
    setup.a.checkin(connection, AUTOCOMMIT);
    const next = await setup.b.checkout();
    assert.equal(next, connection, 'the one pooled connection');
    assert.deepEqual(setup.received(), ['COM_INIT_DB shard0', 'COM_RESET_CONNECTION'], 'reset before it was handed on');
    assert.equal(setup.a.untracked, undefined, 'the reset accounted for it');
  });

  test('a connection given back after tracked statements goes back as it is', async () => {
    await using setup = await setUp();
    const connection = await setup.a.checkout();
    setup.a.checkin(connection, AUTOCOMMIT);
    assert.equal(setup.pool.idleCount, 1, 'idle at once');
    assert.equal(await setup.b.checkout(), connection);
    assert.deepEqual(setup.received(), ['COM_INIT_DB shard0']);
  });

  test('a transaction pins the connection; the session closing resets it before it goes back to the pool', async () => {
    await using setup = await setUp();
    const connection = await setup.a.checkout();
    setup.a.checkin(connection, IN_TRANSACTION);
    assert.equal(setup.a.pinned, true);
    assert.equal(setup.a.heldConnection, connection);
    assert.equal(setup.pool.idleCount, 0, 'kept by the session between commands');
    await setup.a.release(true);
    assert.deepEqual(setup.received(), ['COM_INIT_DB shard0', 'COM_RESET_CONNECTION']);
    assert.deepEqual([setup.pool.idleCount, setup.pool.size], [1, 1]);
  });

  test('a session closing while its checkout waits leaves the queue at once; the connection it waited for goes idle when released', async () => {
    await using setup = await setUp();
    const connection = await setup.a.checkout();
    const waiting = setup.b.checkout();
    assert.ok(waiting instanceof Promise);
    assert.equal(setup.pool.waitingCount, 1);
    await setup.b.release(true);
    await assert.rejects(waiting, LeaseCancelledError);
    assert.equal(setup.pool.waitingCount, 0);
    setup.a.checkin(connection, AUTOCOMMIT);
    assert.deepEqual([setup.pool.idleCount, setup.pool.size, setup.backend.opened], [1, 1, 1]);
  });

  test('a held connection lost between commands fails the next checkout with the pinned state it lost', async () => {
    await using setup = await setUp();
    const connection = await setup.a.checkout();
    setup.a.checkin(connection, IN_TRANSACTION);
    setup.backend.connections[0].close();
    await setup.backend.when(() => setup.backend.openConnections === 0);
    await until(() => connection.closed);
    await assert.rejects(Promise.resolve().then(() => setup.a.checkout()), /holding a transaction/);
    assert.equal(setup.a.pinned, false, 'the lost pins are gone with it');
  });
});
