import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { CathodeError, CathodeErrorCode, wireErrorFor } from '@cathode/wire';
import pino from 'pino';
import type { BackendConnection } from './backend-connection.ts';
import { BackendPool, DEFAULT_POOL_WAIT_MS, type PoolOptions, PoolWaitTimeoutError } from './backend-pool.ts';
import { BackendPools } from './backend-pools.ts';

// BackendPool against a scripted connect function: no MariaDB, no sockets. Connects either
// succeed at once or wait until the test settles them, in whatever order it likes.

const logger = pino({ level: 'silent' });
const endpoint = { name: 'primary', host: '127.0.0.1', port: 3306, user: 'root', password: '' };

class FakeConnection {
  static nextId = 1;
  readonly threadId = FakeConnection.nextId++;
  readonly endpoint = endpoint;
  closed = false;
  lastUsedAt = 0;
  onClose: ((connection: FakeConnection, error: Error | undefined) => void) | undefined;
  close(): void {
    this.destroy(undefined);
  }
  destroy(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose?.(this, error);
  }
}

interface PendingConnect {
  succeed(): FakeConnection;
  fail(error: Error): void;
}

/** A connect function the test drives: `manual` keeps each connect pending until settled. */
class FakeBackend {
  manual = false;
  refuse: Error | undefined;
  connects = 0;
  readonly pending: PendingConnect[] = [];
  readonly connect = (): Promise<BackendConnection> => {
    this.connects++;
    if (this.refuse) return Promise.reject(this.refuse);
    if (!this.manual) return Promise.resolve(new FakeConnection() as unknown as BackendConnection);
    return new Promise((resolve, reject) => {
      this.pending.push({
        succeed: () => {
          const connection = new FakeConnection();
          resolve(connection as unknown as BackendConnection);
          return connection;
        },
        fail: reject,
      });
    });
  };
}

const openPools: BackendPool[] = [];
// Closing rejects what still waits, so no wait timer outlives its test.
afterEach(() => {
  for (const pool of openPools.splice(0)) pool.close();
});

function makePool(backend: FakeBackend, options: Partial<PoolOptions> = {}): BackendPool {
  return remember(new BackendPool(endpoint, 0, { min: 0, max: 1, connectTimeoutMs: 5_000, reconnect: { initialDelayMs: 100, maxDelayMs: 5_000 }, connect: backend.connect, ...options }, logger));
}

function remember(pool: BackendPool): BackendPool {
  openPools.push(pool);
  return pool;
}

/** Lets settled connects and the promise reactions they start run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Records the order in which checkouts are served, and what they got. */
function track(pools: Array<[string, Promise<BackendConnection>]>): { served: string[]; got: Map<string, BackendConnection>; failed: Map<string, Error> } {
  const served: string[] = [];
  const got = new Map<string, BackendConnection>();
  const failed = new Map<string, Error>();
  for (const [name, promise] of pools) {
    promise.then(
      (connection) => {
        served.push(name);
        got.set(name, connection);
      },
      (error: Error) => {
        failed.set(name, error);
      },
    );
  }
  return { served, got, failed };
}

describe('BackendPool queue', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    backend = new FakeBackend();
  });

  it('serves waiters in arrival order as connections come back', async () => {
    const pool = makePool(backend);
    const held = await pool.acquire();
    const waiting = track([['a', pool.acquire()], ['b', pool.acquire()], ['c', pool.acquire()]]);
    assert.equal(pool.waitingCount, 3);
    pool.release(held);
    await settle();
    pool.release(waiting.got.get('a')!);
    await settle();
    pool.release(waiting.got.get('b')!);
    await settle();
    assert.deepEqual(waiting.served, ['a', 'b', 'c']);
    assert.equal(pool.size, 1);
  });

  it('gives a newcomer nothing idle while others queue, even its own last connection', async () => {
    const pool = makePool(backend);
    const held = await pool.acquire();
    const waiting = track([['first', pool.acquire()]]);
    pool.release(held);
    assert.equal(pool.tryAcquireIdle(held), undefined);
    const late = track([['late', pool.acquire(held)]]);
    await settle();
    assert.deepEqual(waiting.served, ['first']);
    assert.deepEqual(late.served, []);
  });

  it('hands a newly opened connection to the first waiter, whichever connect finishes first', async () => {
    backend.manual = true;
    const pool = makePool(backend, { max: 2 });
    const waiting = track([['a', pool.acquire()], ['b', pool.acquire()]]);
    assert.equal(backend.pending.length, 2);
    backend.pending[1].succeed();
    await settle();
    assert.deepEqual(waiting.served, ['a']);
    backend.pending[0].succeed();
    await settle();
    assert.deepEqual(waiting.served, ['a', 'b']);
  });

  it('opens a connection for a waiter when a busy one is lost (regression: waited for a release that never came)', async () => {
    const pool = makePool(backend);
    const held = await pool.acquire();
    const waiting = track([['waiter', pool.acquire()]]);
    held.destroy(new Error('backend went away'));
    await settle();
    assert.deepEqual(waiting.served, ['waiter']);
    assert.notEqual(waiting.got.get('waiter'), held);
  });

  it('queues a newcomer behind a waiter whose connection is being opened', async () => {
    const pool = makePool(backend);
    const held = await pool.acquire();
    const waiting = track([['waiter', pool.acquire()]]);
    backend.manual = true;
    held.destroy(new Error('lost'));
    const late = track([['late', pool.acquire()]]);
    assert.equal(backend.pending.length, 1, 'one connect: the pool max is 1');
    backend.pending[0].succeed();
    await settle();
    assert.deepEqual(waiting.served, ['waiter']);
    assert.deepEqual(late.served, []);
  });

  it('fails the queue at once when the backend cannot be reached at all', async () => {
    backend.refuse = new CathodeError(CathodeErrorCode.BACKEND_UNAVAILABLE, 'cannot connect to backend primary: ECONNREFUSED');
    const pool = makePool(backend, { max: 4 });
    const waiting = track([['a', pool.acquire()], ['b', pool.acquire()]]);
    await settle();
    assert.deepEqual([...waiting.failed.keys()].sort(), ['a', 'b']);
    assert.match(waiting.failed.get('a')!.message, /ECONNREFUSED/);
  });

  it('keeps the queue waiting for releases when the backend refuses only extra connections', async () => {
    const pool = makePool(backend, { max: 4 });
    const held = await pool.acquire();
    backend.refuse = new CathodeError(CathodeErrorCode.BACKEND_UNAVAILABLE, 'Too many connections');
    const waiting = track([['waiter', pool.acquire()]]);
    await settle();
    assert.equal(waiting.failed.size, 0);
    pool.release(held);
    await settle();
    assert.deepEqual(waiting.served, ['waiter']);
  });
});

describe('BackendPool wait timeout', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    backend = new FakeBackend();
    mock.timers.enable({ apis: ['setTimeout'] });
  });
  afterEach(() => mock.timers.reset());

  it('waits poolWaitMs, not connectTimeoutMs (regression: 1000 sysbench clients died with 1429 after 5 s)', async () => {
    const pool = makePool(backend, { connectTimeoutMs: 5_000, waitTimeoutMs: 60_000 });
    await pool.acquire();
    const waiting = track([['waiter', pool.acquire()]]);
    mock.timers.tick(5_000);
    await settle();
    assert.equal(waiting.failed.size, 0, 'still waiting after connectTimeoutMs');
    assert.equal(pool.waitingCount, 1);
    mock.timers.tick(55_000);
    await settle();
    const error = waiting.failed.get('waiter');
    assert.ok(error instanceof PoolWaitTimeoutError);
    assert.match(error.message, /no free connection to backend primary within 60000 ms \(pool max 1/);
    const wire = wireErrorFor(error);
    assert.equal(wire.errno, 1429);
    assert.equal(pool.waitingCount, 0);
  });

  it('defaults to DEFAULT_POOL_WAIT_MS', async () => {
    const pool = makePool(backend);
    await pool.acquire();
    const waiting = track([['waiter', pool.acquire()]]);
    mock.timers.tick(DEFAULT_POOL_WAIT_MS - 1);
    await settle();
    assert.equal(waiting.failed.size, 0);
    mock.timers.tick(1);
    await settle();
    assert.ok(waiting.failed.get('waiter') instanceof PoolWaitTimeoutError);
  });

  it('a waiter that timed out does not take the next released connection', async () => {
    const pool = makePool(backend, { waitTimeoutMs: 1_000 });
    const held = await pool.acquire();
    const first = track([['first', pool.acquire()]]);
    mock.timers.tick(500);
    const second = track([['second', pool.acquire()]]);
    mock.timers.tick(500);
    pool.release(held);
    await settle();
    assert.ok(first.failed.has('first'));
    assert.deepEqual(second.served, ['second']);
  });
});

describe('BackendPool cancellation', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    backend = new FakeBackend();
  });

  it('a cancelled checkout leaves the queue at once and never receives a connection', async () => {
    const pool = makePool(backend);
    const held = await pool.acquire();
    const controller = new AbortController();
    const waiting = track([['cancelled', pool.acquire(undefined, controller.signal)], ['next', pool.acquire()]]);
    controller.abort();
    await settle();
    assert.equal(waiting.failed.get('cancelled')?.name, 'AbortError');
    assert.equal(pool.waitingCount, 1);
    pool.release(held);
    await settle();
    assert.deepEqual(waiting.served, ['next']);
    assert.equal(waiting.got.get('next'), held);
  });

  it('a connection opened for a checkout cancelled meanwhile goes back to the pool, not lost', async () => {
    backend.manual = true;
    const pool = makePool(backend, { max: 2 });
    const controller = new AbortController();
    const waiting = track([['cancelled', pool.acquire(undefined, controller.signal)]]);
    controller.abort();
    backend.pending[0].succeed();
    await settle();
    assert.equal(waiting.got.size, 0);
    assert.equal(pool.size, 1);
    assert.equal(pool.idleCount, 1, 'idle, ready for the next session');
    assert.equal(pool.busyCount, 0);
    assert.ok(pool.tryAcquireIdle());
  });

  it('an already cancelled checkout is refused without queueing or connecting', async () => {
    const pool = makePool(backend);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(pool.acquire(undefined, controller.signal), { name: 'AbortError' });
    assert.equal(pool.waitingCount, 0);
    assert.equal(backend.connects, 0);
  });

  it('a checkout served before the cancel keeps its connection (the caller releases it)', async () => {
    const pool = makePool(backend);
    const controller = new AbortController();
    const connection = await pool.acquire(undefined, controller.signal);
    controller.abort();
    assert.equal(pool.busyCount, 1);
    pool.release(connection);
    assert.equal(pool.idleCount, 1);
  });
});

describe('BackendPool health', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    backend = new FakeBackend();
  });

  it('marked down, queued checkouts fail with the backend-down error', async () => {
    const pool = makePool(backend);
    await pool.acquire();
    const waiting = track([['waiter', pool.acquire()]]);
    pool.setHealthy(false);
    await settle();
    assert.match(waiting.failed.get('waiter')!.message, /backend primary is down/);
    assert.equal(pool.healthy, false);
  });

  it('while down, checkouts probe with one connect, and its success serves them all at once (regression: refused until the next heartbeat)', async () => {
    const pool = makePool(backend, { max: 8 });
    pool.setHealthy(false);
    backend.manual = true;
    const waiting = track([['a', pool.acquire()], ['b', pool.acquire()], ['c', pool.acquire()]]);
    assert.equal(backend.pending.length, 1, 'a single probe connect for the whole queue');
    backend.pending[0].succeed();
    await settle();
    assert.equal(pool.healthy, true);
    assert.deepEqual(waiting.served, ['a']);
    assert.equal(backend.pending.length, 3, 'up again: the rest of the queue gets connects of its own');
    backend.pending[1].succeed();
    backend.pending[2].succeed();
    await settle();
    assert.deepEqual(waiting.served, ['a', 'b', 'c']);
  });

  it('a failed probe fails everyone who waited for it, and the next checkout probes again', async () => {
    const pool = makePool(backend, { max: 8 });
    pool.setHealthy(false);
    backend.manual = true;
    const waiting = track([['a', pool.acquire()], ['b', pool.acquire()]]);
    backend.pending[0].fail(new CathodeError(CathodeErrorCode.BACKEND_UNAVAILABLE, 'ECONNREFUSED'));
    await settle();
    assert.equal(waiting.failed.size, 2);
    assert.match(waiting.failed.get('b')!.message, /backend primary is down \(heartbeat failing\): ECONNREFUSED/);
    assert.equal(wireErrorFor(waiting.failed.get('b')).errno, 1429);
    assert.equal(pool.healthy, false);
    const retry = track([['retry', pool.acquire()]]);
    assert.equal(backend.pending.length, 2);
    backend.pending[1].succeed();
    await settle();
    assert.deepEqual(retry.served, ['retry']);
    assert.equal(pool.healthy, true);
  });

  it('BackendPools reports a backend healthy again for every flavor once one connection succeeds', async () => {
    const pools = new BackendPools([{ endpoint, options: { min: 0, max: 4, connectTimeoutMs: 5_000, reconnect: { initialDelayMs: 100, maxDelayMs: 5_000 }, connect: backend.connect } }], logger);
    const plain = pools.pool('primary', 0);
    pools.setHealthy('primary', false);
    const other = pools.pool('primary', 0x200);
    assert.equal(pools.healthy('primary'), false);
    assert.equal(other.healthy, false);
    await plain.acquire();
    assert.equal(pools.healthy('primary'), true);
    assert.equal(other.healthy, true);
    assert.ok(await other.acquire());
    pools.closeAll();
  });
});
