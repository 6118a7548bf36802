import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BackendConnection, BackendPool } from '@cathode/backend';
import { ServerStatus } from '@cathode/wire';
import type { DataNode } from '../routing/data-node.ts';
import { FakeBackend, refusedPort } from '../testing/fake-backend.ts';
import { leaseHolder, nodesOf, poolOf } from '../testing/lease-fixtures.ts';
import { checkoutInOrder } from './fan-out.ts';
import { Lease } from './lease.ts';

const AUTOCOMMIT = ServerStatus.SERVER_STATUS_AUTOCOMMIT;

/** `pool`, recording in `acquired` the node of each connection it hands out. */
function recording(pool: BackendPool, node: DataNode, acquired: number[]): BackendPool {
  return new Proxy(pool, {
    get(target, property) {
      if (property === 'tryAcquireIdle') {
        return (preferred?: BackendConnection) => {
          const connection = target.tryAcquireIdle(preferred);
          if (connection) acquired.push(node.id);
          return connection;
        };
      }
      if (property === 'acquire') {
        return async (preferred?: BackendConnection, signal?: AbortSignal) => {
          const connection = await target.acquire(preferred, signal);
          acquired.push(node.id);
          return connection;
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Three fake backends, a one-connection pool per node, and a session's leases on them in `order`. */
async function setUp() {
  const backends = await Promise.all([0, 1, 2].map((index) => FakeBackend.start(`b${index}`)));
  const nodes = nodesOf(backends);
  const pools = nodes.map((node) => poolOf(node, 1));
  return {
    backends,
    nodes,
    pools,
    /** One session's leases on the nodes listed, in that order, recording its acquisitions. */
    leases(order: readonly number[], acquired: number[]): Lease[] {
      const holder = leaseHolder();
      return order.map((id) => new Lease(nodes[id], recording(pools[id], nodes[id], acquired), holder));
    },
    async [Symbol.asyncDispose]() {
      for (const pool of pools) pool.close();
      await Promise.all(backends.map((backend) => backend.stop()));
    },
  };
}

describe('checkoutInOrder', () => {
  test('takes the leases in ascending node id and returns their connections in the order asked', async () => {
    await using setup = await setUp();
    const acquired: number[] = [];
    const leases = setup.leases([2, 0, 1], acquired);
    const connections = await checkoutInOrder(leases);
    assert.deepEqual(acquired, [0, 1, 2]);
    assert.deepEqual(
      connections.map((connection) => connection.endpoint.name),
      ['b2', 'b0', 'b1'],
    );
    leases.forEach((lease, index) => lease.checkin(connections[index], AUTOCOMMIT));
  });

  test('two sessions asking for the same one-connection nodes in opposite orders never wait on each other', { timeout: 120_000 }, async () => {
    await using setup = await setUp();
    const rounds = 50;
    const run = async (order: number[]) => {
      const acquired: number[] = [];
      const leases = setup.leases(order, acquired);
      for (let round = 0; round < rounds; round++) {
        const connections = await checkoutInOrder(leases);
        // Hold them across a turn of the event loop, so the other session queues behind.
        await new Promise((resolve) => setImmediate(resolve));
        leases.forEach((lease, index) => lease.checkin(connections[index], AUTOCOMMIT));
      }
      return acquired;
    };
    const [a, b] = await Promise.all([run([2, 0, 1]), run([1, 2, 0])]);
    const ascending = Array.from({ length: rounds }, () => [0, 1, 2]).flat();
    assert.deepEqual(a, ascending);
    assert.deepEqual(b, ascending);
    assert.ok(setup.pools.every((pool) => pool.idleCount === 1 && pool.waitingCount === 0));
  });

  test('all or nothing: when one checkout fails, the connections already taken go back to their pools', async () => {
    const backends = await Promise.all([FakeBackend.start('b0'), FakeBackend.start('b1')]);
    const nodes = nodesOf([...backends, { name: 'down', port: await refusedPort() }]);
    const pools = nodes.map((node) => poolOf(node, 1));
    try {
      const holder = leaseHolder();
      const leases = [2, 1, 0].map((id) => new Lease(nodes[id], pools[id], holder));
      await assert.rejects(checkoutInOrder(leases), /cannot connect to backend down/);
      for (const pool of pools.slice(0, 2)) assert.deepEqual([pool.size, pool.idleCount, pool.waitingCount], [1, 1, 0], `${pool.endpoint.name} has its connection back`);
      assert.ok(leases.every((lease) => lease.active === undefined && !lease.pinned), 'no lease keeps anything');
    } finally {
      for (const pool of pools) pool.close();
      await Promise.all(backends.map((backend) => backend.stop()));
    }
  });
});
