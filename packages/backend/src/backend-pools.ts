import type { Logger } from 'pino';
import type { BackendEndpoint } from './backend-connection.ts';
import { BackendPool, type PoolOptions } from './backend-pool.ts';

/** One reactor's pools: one per backend and capability flavor, created on first use. */
export class BackendPools {
  private readonly pools = new Map<string, BackendPool>();
  private readonly endpoints: Map<string, { endpoint: BackendEndpoint; options: PoolOptions }>;
  private readonly logger: Logger;
  private readonly unhealthy = new Set<string>();

  constructor(backends: Array<{ endpoint: BackendEndpoint; options: PoolOptions }>, logger: Logger) {
    this.endpoints = new Map(backends.map((backend) => [backend.endpoint.name, backend]));
    this.logger = logger;
  }

  pool(backendName: string, flavor: number, mariaDbFlavor = 0): BackendPool {
    const key = `${backendName}/${flavor}/${mariaDbFlavor}`;
    let pool = this.pools.get(key);
    if (!pool) {
      const backend = this.endpoints.get(backendName);
      if (!backend) throw new Error(`unknown backend ${backendName}`);
      pool = new BackendPool(backend.endpoint, flavor, backend.options, this.logger, mariaDbFlavor);
      if (this.unhealthy.has(backendName)) pool.setHealthy(false);
      this.pools.set(key, pool);
      pool.ensureMin();
    }
    return pool;
  }

  setHealthy(backendName: string, healthy: boolean): void {
    if (healthy) this.unhealthy.delete(backendName);
    else this.unhealthy.add(backendName);
    for (const pool of this.pools.values()) if (pool.endpoint.name === backendName) pool.setHealthy(healthy);
  }

  sweepIdle(idleMs: number): number {
    let closed = 0;
    for (const pool of this.pools.values()) closed += pool.sweepIdle(idleMs);
    return closed;
  }

  closeAll(): void {
    for (const pool of this.pools.values()) pool.close();
  }

  stats(): Array<{ backend: string; flavor: number; size: number; idle: number }> {
    return [...this.pools.values()].map((pool) => ({ backend: pool.endpoint.name, flavor: pool.flavor, size: pool.size, idle: pool.idleCount }));
  }
}
