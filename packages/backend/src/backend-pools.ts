import type { Logger } from 'pino';
import type { BackendEndpoint } from './backend-connection.ts';
import { BackendPool, type PoolOptions } from './backend-pool.ts';

/** One reactor's pools: one per backend and capability flavor, created on first use. */
export class BackendPools {
  /** Backend name -> flavor key -> pool; numeric keys, because this is looked up for every statement. */
  private readonly pools = new Map<string, Map<number, BackendPool>>();
  private readonly endpoints: Map<string, { endpoint: BackendEndpoint; options: PoolOptions }>;
  private readonly logger: Logger;
  private readonly unhealthy = new Set<string>();

  constructor(backends: Array<{ endpoint: BackendEndpoint; options: PoolOptions }>, logger: Logger) {
    this.endpoints = new Map(backends.map((backend) => [backend.endpoint.name, backend]));
    this.logger = logger;
  }

  pool(backendName: string, flavor: number, mariaDbFlavor = 0): BackendPool {
    let byFlavor = this.pools.get(backendName);
    if (!byFlavor) {
      byFlavor = new Map();
      this.pools.set(backendName, byFlavor);
    }
    // Both flavors fit in 32 bits: together they make one exact integer key.
    const key = mariaDbFlavor * 2 ** 32 + flavor;
    let pool = byFlavor.get(key);
    if (!pool) {
      const backend = this.endpoints.get(backendName);
      if (!backend) throw new Error(`unknown backend ${backendName}`);
      pool = new BackendPool(backend.endpoint, flavor, backend.options, this.logger, mariaDbFlavor);
      if (this.unhealthy.has(backendName)) pool.setHealthy(false);
      // A connection that succeeds proves the backend up for every flavor, before the heartbeat says so.
      pool.onRecovered = () => this.setHealthy(backendName, true);
      byFlavor.set(key, pool);
      pool.ensureMin();
    }
    return pool;
  }

  private *allPools(): Iterable<BackendPool> {
    for (const byFlavor of this.pools.values()) yield* byFlavor.values();
  }

  /** False while `backendName` is marked down (by the heartbeat) and no connection to it has succeeded since. */
  healthy(backendName: string): boolean {
    return !this.unhealthy.has(backendName);
  }

  setHealthy(backendName: string, healthy: boolean): void {
    if (healthy) this.unhealthy.delete(backendName);
    else this.unhealthy.add(backendName);
    for (const pool of this.pools.get(backendName)?.values() ?? []) pool.setHealthy(healthy);
  }

  sweepIdle(idleMs: number): number {
    let closed = 0;
    for (const pool of this.allPools()) closed += pool.sweepIdle(idleMs);
    return closed;
  }

  closeAll(): void {
    for (const pool of this.allPools()) pool.close();
  }
}
