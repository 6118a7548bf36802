import { CathodeError, CathodeErrorCode } from '@cathode/wire';
import type { Logger } from 'pino';
import { BackendConnection, type BackendEndpoint } from './backend-connection.ts';

export interface PoolOptions {
  min: number;
  max: number;
  connectTimeoutMs: number;
  reconnect: { initialDelayMs: number; maxDelayMs: number };
  maxPacketSize?: number;
}

interface Waiter {
  resolve: (connection: BackendConnection) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Connections to one backend for one capability flavor, owned by one reactor thread. A caller
 * asks for the connection it used last (affinity keeps its prepared statements and session state
 * warm); otherwise it gets the longest-idle one.
 */
export class BackendPool {
  readonly endpoint: BackendEndpoint;
  readonly flavor: number;
  readonly mariaDbFlavor: number;
  private readonly options: PoolOptions;
  private readonly logger: Logger;
  /** Idle connections, longest-idle first (a Set keeps insertion order). */
  private readonly idle = new Set<BackendConnection>();
  private readonly all = new Set<BackendConnection>();
  private readonly waiters: Waiter[] = [];
  private connecting = 0;
  private healthy = true;
  private closed = false;
  private refillDelayMs = 0;
  private refillTimer: NodeJS.Timeout | undefined;

  constructor(endpoint: BackendEndpoint, flavor: number, options: PoolOptions, logger: Logger, mariaDbFlavor = 0) {
    this.endpoint = endpoint;
    this.flavor = flavor;
    this.mariaDbFlavor = mariaDbFlavor;
    this.options = options;
    this.logger = logger;
  }

  get size(): number {
    return this.all.size;
  }

  get idleCount(): number {
    return this.idle.size;
  }

  /** An idle connection right now (preferring `preferred`), or undefined. */
  tryAcquireIdle(preferred?: BackendConnection): BackendConnection | undefined {
    if (!this.healthy || this.closed) return undefined;
    if (preferred && !preferred.closed) {
      if (this.idle.delete(preferred)) return preferred;
    }
    // The longest-idle connection is the one least likely to be another session's preferred one.
    for (const connection of this.idle) {
      this.idle.delete(connection);
      return connection;
    }
    return undefined;
  }

  async acquire(preferred?: BackendConnection): Promise<BackendConnection> {
    if (this.closed) throw new CathodeError(CathodeErrorCode.SHUTTING_DOWN, 'backend pool is closed');
    if (!this.healthy) throw new CathodeError(CathodeErrorCode.BACKEND_UNAVAILABLE, `backend ${this.endpoint.name} is down (heartbeat failing)`);
    const ready = this.tryAcquireIdle(preferred);
    if (ready) return ready;
    if (this.all.size + this.connecting < this.options.max) return this.open();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(new CathodeError(CathodeErrorCode.BACKEND_UNAVAILABLE, `no free connection to backend ${this.endpoint.name} within ${this.options.connectTimeoutMs} ms (pool max ${this.options.max})`));
        }, this.options.connectTimeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  release(connection: BackendConnection): void {
    if (connection.closed || !this.all.has(connection)) return;
    connection.lastUsedAt = Date.now();
    const waiter = this.waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(connection);
      return;
    }
    if (this.closed) connection.close();
    else this.idle.add(connection);
  }

  /** Closes a connection whose state cannot be trusted anymore, instead of reusing it. */
  discard(connection: BackendConnection): void {
    connection.destroy(undefined);
  }

  private async open(): Promise<BackendConnection> {
    this.connecting++;
    try {
      const connection = await BackendConnection.connect({
        endpoint: this.endpoint,
        flavor: this.flavor,
        mariaDbFlavor: this.mariaDbFlavor,
        connectTimeoutMs: this.options.connectTimeoutMs,
        maxPacketSize: this.options.maxPacketSize,
      });
      if (this.closed) {
        connection.close();
        throw new CathodeError(CathodeErrorCode.SHUTTING_DOWN, 'backend pool is closed');
      }
      this.all.add(connection);
      connection.onClose = (closed, error) => this.forget(closed, error);
      this.refillDelayMs = 0;
      return connection;
    } finally {
      this.connecting--;
    }
  }

  private forget(connection: BackendConnection, error: Error | undefined): void {
    this.all.delete(connection);
    this.idle.delete(connection);
    if (error) this.logger.warn({ backend: this.endpoint.name, threadId: connection.threadId, err: error.message }, 'backend connection lost');
    this.scheduleRefill();
  }

  /** Opens connections up to `min` in the background, backing off while the backend refuses. */
  ensureMin(): void {
    if (this.closed || !this.healthy || this.refillTimer) return;
    const missing = this.options.min - this.all.size - this.connecting;
    for (let i = 0; i < missing; i++) {
      this.open().then(
        (connection) => this.release(connection),
        (error: Error) => {
          this.refillDelayMs = Math.min(this.options.reconnect.maxDelayMs, Math.max(this.options.reconnect.initialDelayMs, this.refillDelayMs * 2));
          this.logger.warn({ backend: this.endpoint.name, err: error.message, retryInMs: this.refillDelayMs }, 'cannot open backend connection');
          this.scheduleRefill();
        },
      );
    }
  }

  private scheduleRefill(): void {
    if (this.closed || this.refillTimer || this.all.size + this.connecting >= this.options.min) return;
    this.refillTimer = setTimeout(() => {
      this.refillTimer = undefined;
      this.ensureMin();
    }, this.refillDelayMs);
    this.refillTimer.unref();
  }

  /** Closes connections idle for longer than `idleMs`, keeping at least `min`; then refills to `min`. */
  sweepIdle(idleMs: number, now = Date.now()): number {
    let closed = 0;
    for (const connection of this.idle) {
      if (this.all.size <= this.options.min) break;
      if (now - connection.lastUsedAt < idleMs) continue;
      this.idle.delete(connection);
      connection.close();
      closed++;
    }
    this.ensureMin();
    return closed;
  }

  /** Heartbeat verdict: while down, acquisitions fail at once and idle connections are dropped. */
  setHealthy(healthy: boolean): void {
    if (this.healthy === healthy) return;
    this.healthy = healthy;
    if (!healthy) {
      this.closeIdle();
      for (const waiter of this.waiters.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.reject(new CathodeError(CathodeErrorCode.BACKEND_UNAVAILABLE, `backend ${this.endpoint.name} is down (heartbeat failing)`));
      }
    } else {
      this.refillDelayMs = 0;
      this.ensureMin();
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.refillTimer);
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new CathodeError(CathodeErrorCode.SHUTTING_DOWN, 'backend pool is closing'));
    }
    this.closeIdle();
  }

  private closeIdle(): void {
    const connections = [...this.idle];
    this.idle.clear();
    for (const connection of connections) connection.close();
  }

  /** Connections still out (busy); they close when released after `close()`. */
  get busyCount(): number {
    return this.all.size - this.idle.size;
  }
}
