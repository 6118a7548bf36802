import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { BackendEndpoint } from './backend-connection.ts';
import { BackendPool, type PoolOptions } from './backend-pool.ts';

/** The backend account a session's connections log in as, when it is not the backend's own (backends[].user). */
export interface BackendCredentials {
  user: string;
  password: string;
  /** SHA1(password) of a server account, whose password Cathode never sees (see LoginSecret). */
  passwordStage1?: Buffer | undefined;
}

/** The backend's own account: pools for it share this key. */
const OWN_ACCOUNT = '';

/**
 * One reactor's pools: one per backend, backend account and capability flavor, created on first
 * use. Heartbeats and the probe keep using the backend's own account; so do sessions of users
 * without a backend account of their own.
 */
export class BackendPools {
  /** Backend name -> account key -> flavor key -> pool; numeric flavor keys, looked up for every lease. */
  private readonly pools = new Map<string, Map<string, Map<number, BackendPool>>>();
  private readonly endpoints: Map<string, { endpoint: BackendEndpoint; options: PoolOptions }>;
  private readonly logger: Logger;
  private readonly unhealthy = new Set<string>();
  /** Account keys of credentials already seen: configured users share one object, hashed once. */
  private readonly accountKeys = new WeakMap<BackendCredentials, string>();

  constructor(backends: Array<{ endpoint: BackendEndpoint; options: PoolOptions }>, logger: Logger) {
    this.endpoints = new Map(backends.map((backend) => [backend.endpoint.name, backend]));
    this.logger = logger;
  }

  pool(backendName: string, flavor: number, mariaDbFlavor = 0, credentials?: BackendCredentials): BackendPool {
    let byAccount = this.pools.get(backendName);
    if (!byAccount) {
      byAccount = new Map();
      this.pools.set(backendName, byAccount);
    }
    const accountKey = credentials ? this.accountKey(credentials) : OWN_ACCOUNT;
    let byFlavor = byAccount.get(accountKey);
    if (!byFlavor) {
      byFlavor = new Map();
      byAccount.set(accountKey, byFlavor);
    }
    // Both flavors fit in 32 bits: together they make one exact integer key.
    const key = mariaDbFlavor * 2 ** 32 + flavor;
    let pool = byFlavor.get(key);
    if (!pool) {
      const backend = this.endpoints.get(backendName);
      if (!backend) throw new Error(`unknown backend ${backendName}`);
      pool = credentials
        ? // Pools of other accounts keep nothing open once idle: there may be many accounts.
          new BackendPool(withCredentials(backend.endpoint, credentials), flavor, { ...backend.options, min: 0 }, this.logger, mariaDbFlavor)
        : new BackendPool(backend.endpoint, flavor, backend.options, this.logger, mariaDbFlavor);
      if (this.unhealthy.has(backendName)) pool.setHealthy(false);
      // A connection that succeeds proves the backend up for every flavor, before the heartbeat says so.
      pool.onRecovered = () => this.setHealthy(backendName, true);
      byFlavor.set(key, pool);
      pool.ensureMin();
    }
    return pool;
  }

  /**
   * The user and SHA1(SHA1(password)): one pool per account and password, so a password changed
   * on the server gets fresh connections; the secret itself is no map key.
   */
  private accountKey(credentials: BackendCredentials): string {
    let key = this.accountKeys.get(credentials);
    if (key === undefined) {
      const { user, password, passwordStage1 } = credentials;
      const stage1 = passwordStage1 ?? (password === '' ? undefined : createHash('sha1').update(password, 'utf8').digest());
      key = `${user}\0${stage1 ? createHash('sha1').update(stage1).digest('hex') : 'no password'}`;
      this.accountKeys.set(credentials, key);
    }
    return key;
  }

  private *allPools(): Iterable<BackendPool> {
    for (const byAccount of this.pools.values()) for (const byFlavor of byAccount.values()) yield* byFlavor.values();
  }

  /** False while `backendName` is marked down (by the heartbeat) and no connection to it has succeeded since. */
  healthy(backendName: string): boolean {
    return !this.unhealthy.has(backendName);
  }

  setHealthy(backendName: string, healthy: boolean): void {
    if (healthy) this.unhealthy.delete(backendName);
    else this.unhealthy.add(backendName);
    for (const byFlavor of this.pools.get(backendName)?.values() ?? []) for (const pool of byFlavor.values()) pool.setHealthy(healthy);
  }

  /** Also the moment to see whether a backend's settings changed under its pooled connections. */
  sweepIdle(idleMs: number): number {
    let closed = 0;
    for (const pool of this.allPools()) {
      closed += pool.sweepIdle(idleMs);
      void pool.checkServerSettings();
    }
    return closed;
  }

  closeAll(): void {
    for (const pool of this.allPools()) pool.close();
  }
}

function withCredentials(endpoint: BackendEndpoint, credentials: BackendCredentials): BackendEndpoint {
  return { ...endpoint, user: credentials.user, password: credentials.password, passwordStage1: credentials.passwordStage1 };
}
