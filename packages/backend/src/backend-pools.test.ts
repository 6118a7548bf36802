import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CathodeError, CathodeErrorCode } from '@cathode/wire';
import pino from 'pino';
import type { BackendConnectOptions, BackendEndpoint } from './backend-connection.ts';
import { BackendPools } from './backend-pools.ts';

const logger = pino({ level: 'silent' });
const endpoint: BackendEndpoint = { name: 'primary', host: '127.0.0.1', port: 1, user: 'root', password: 'root-pw' };

/** Pools whose connects are recorded and refused: what matters here is who would log in. */
function recordingPools(min = 1) {
  const logins: BackendEndpoint[] = [];
  const connect = async (options: BackendConnectOptions) => {
    logins.push(options.endpoint);
    throw new CathodeError(CathodeErrorCode.BACKEND_UNAVAILABLE, 'not in this test');
  };
  const pools = new BackendPools([{ endpoint, options: { min, max: 4, connectTimeoutMs: 5_000, reconnect: { initialDelayMs: 100_000, maxDelayMs: 100_000 }, connect } }], logger);
  return { pools, logins };
}

describe('pools per backend account', () => {
  it("keeps the backend's own account for users without one, and one pool per other account", () => {
    const { pools } = recordingPools(0);
    const own = pools.pool('primary', 0);
    const rw = { user: 'app_rw', password: 'rw-pw' };
    assert.equal(pools.pool('primary', 0), own);
    assert.equal(own.endpoint.user, 'root');
    const rwPool = pools.pool('primary', 0, 0, rw);
    assert.notEqual(rwPool, own);
    assert.equal(rwPool.endpoint.user, 'app_rw');
    assert.equal(rwPool.endpoint.password, 'rw-pw');
    assert.equal(rwPool.endpoint.host, '127.0.0.1');
    // Another object with the same account and password: the same pool (server accounts build one per session).
    assert.equal(pools.pool('primary', 0, 0, { user: 'app_rw', password: 'rw-pw' }), rwPool);
    assert.notEqual(pools.pool('primary', 0, 0, { user: 'app_rw', password: 'changed' }), rwPool, 'a changed password gets fresh connections');
    assert.notEqual(pools.pool('primary', 0, 0, { user: 'app_ro', password: 'rw-pw' }), rwPool);
    assert.notEqual(pools.pool('primary', 8, 0, rw), rwPool, 'flavors stay apart within an account');
  });

  it('passes a server account on as SHA1(password), pooled by its hash', () => {
    const { pools } = recordingPools(0);
    const stage1 = Buffer.alloc(20, 3);
    const pool = pools.pool('primary', 0, 0, { user: 'srv', password: '', passwordStage1: stage1 });
    assert.deepEqual(pool.endpoint.passwordStage1, stage1);
    assert.equal(pools.pool('primary', 0, 0, { user: 'srv', password: '', passwordStage1: Buffer.from(stage1) }), pool);
    assert.notEqual(pools.pool('primary', 0, 0, { user: 'srv', password: '' }), pool, 'no password is another login');
    assert.equal(pools.pool('primary', 0).endpoint.passwordStage1, undefined);
  });

  it("opens pool.min connections only for the backend's own account", async () => {
    const { pools, logins } = recordingPools(1);
    pools.pool('primary', 0, 0, { user: 'app_rw', password: 'rw-pw' });
    pools.pool('primary', 0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(logins.map((login) => login.user), ['root']);
    pools.closeAll();
  });

  it("marks every account's pools down and up with the backend", () => {
    const { pools } = recordingPools(0);
    const rwPool = pools.pool('primary', 0, 0, { user: 'app_rw', password: 'rw-pw' });
    pools.setHealthy('primary', false);
    assert.equal(rwPool.healthy, false);
    assert.equal(pools.pool('primary', 0, 0, { user: 'late', password: '' }).healthy, false, 'a pool made while down starts down');
    pools.setHealthy('primary', true);
    assert.equal(rwPool.healthy, true);
  });
});
