import { CathodeError, CathodeErrorCode } from '@cathode/wire';
import type { Logger } from 'pino';
import { BackendConnection, type BackendConnectOptions, type BackendEndpoint } from './backend-connection.ts';
import { textRows } from './collected-response.ts';

/**
 * How long a checkout may queue for a busy pool by default. Longer than InnoDB's default lock wait
 * (50 s): when the pool is held by statements waiting on row locks, newcomers should not fail
 * before those statements themselves would; short enough that a hung backend still surfaces as
 * an error within a minute. Against MariaDB directly such a client would wait in the server's queue.
 */
export const DEFAULT_POOL_WAIT_MS = 60_000;

export interface PoolOptions {
  min: number;
  max: number;
  connectTimeoutMs: number;
  /** How long a checkout may wait for a connection when the pool is at `max` (DEFAULT_POOL_WAIT_MS). */
  waitTimeoutMs?: number;
  reconnect: { initialDelayMs: number; maxDelayMs: number };
  maxPacketSize?: number;
  /** Opens one connection; BackendConnection.connect unless a test scripts it. */
  connect?: (options: BackendConnectOptions) => Promise<BackendConnection>;
}

/** A checkout that waited `waitTimeoutMs` without getting a connection (ERR 1429 on the wire). */
export class PoolWaitTimeoutError extends CathodeError {
  constructor(message: string) {
    super(CathodeErrorCode.BACKEND_UNAVAILABLE, message);
    this.name = 'PoolWaitTimeoutError';
  }
}

interface Waiter {
  resolve: (connection: BackendConnection) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Connections to one backend for one capability flavor, owned by one reactor thread. A caller
 * asks for the connection it used last (affinity keeps its prepared statements and session state
 * warm); otherwise it gets the longest-idle one. Checkouts that find nothing idle queue and are
 * served strictly in arrival order, by released and newly opened connections alike.
 */
export class BackendPool {
  readonly endpoint: BackendEndpoint;
  readonly flavor: number;
  readonly mariaDbFlavor: number;
  /** Called when a connection succeeds while the pool was marked down (the backend is back). */
  onRecovered: (() => void) | undefined;
  private readonly options: PoolOptions;
  private readonly logger: Logger;
  private readonly connect: (options: BackendConnectOptions) => Promise<BackendConnection>;
  /** Idle connections, longest-idle first (a Set keeps insertion order). */
  private readonly idle = new Set<BackendConnection>();
  /** Connections opened before the server's max_allowed_packet changed: closed instead of pooled again. */
  private readonly outdated = new WeakSet<BackendConnection>();
  private checkingSettings = false;
  private readonly all = new Set<BackendConnection>();
  /** Queued checkouts, oldest first; a Set so that a timeout or cancel leaves in O(1). */
  private readonly waiters = new Set<Waiter>();
  private connecting = 0;
  private up = true;
  private closed = false;
  private retryDelayMs = 0;
  /** While set, no connection is opened (back-off after a failed one, while the backend is up). */
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(endpoint: BackendEndpoint, flavor: number, options: PoolOptions, logger: Logger, mariaDbFlavor = 0) {
    this.endpoint = endpoint;
    this.flavor = flavor;
    this.mariaDbFlavor = mariaDbFlavor;
    this.options = options;
    this.logger = logger;
    this.connect = options.connect ?? BackendConnection.connect;
  }

  get size(): number {
    return this.all.size;
  }

  get idleCount(): number {
    return this.idle.size;
  }

  /** Checkouts queued for a connection. */
  get waitingCount(): number {
    return this.waiters.size;
  }

  /** False while the heartbeat has the backend down and no connection has succeeded since. */
  get healthy(): boolean {
    return this.up;
  }

  /**
   * An idle connection right now (preferring `preferred`), or undefined. Never while others
   * queue: they were first.
   */
  tryAcquireIdle(preferred?: BackendConnection): BackendConnection | undefined {
    if (!this.up || this.closed || this.waiters.size > 0) return undefined;
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

  /**
   * A connection, as soon as one is free or opened, in arrival order. Aborting `signal` (the
   * session closed) leaves the queue at once: an aborted checkout never receives a connection.
   * Once the promise has resolved, the connection is the caller's to release.
   * While the backend is marked down, one checkout at a time tries to connect for everyone
   * queued: its success marks the pool up, its failure fails them all.
   */
  acquire(preferred?: BackendConnection, signal?: AbortSignal): Promise<BackendConnection> {
    if (this.closed) return Promise.reject(new CathodeError(CathodeErrorCode.SHUTTING_DOWN, 'backend pool is closed'));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const ready = this.tryAcquireIdle(preferred);
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const waitMs = this.options.waitTimeoutMs ?? DEFAULT_POOL_WAIT_MS;
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.leave(waiter);
          reject(
            new PoolWaitTimeoutError(
              `no free connection to backend ${this.endpoint.name} within ${waitMs} ms (pool max ${this.options.max}, ${this.waiters.size} still waiting)`,
            ),
          );
        }, waitMs),
        signal,
        onAbort: undefined,
      };
      if (signal) {
        waiter.onAbort = () => {
          this.leave(waiter);
          reject(abortReason(signal));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.add(waiter);
      this.openForWaiters();
    });
  }

  release(connection: BackendConnection): void {
    if (connection.closed || !this.all.has(connection)) return;
    if (this.outdated.has(connection)) {
      // Its replacement opens for whoever waits (or to `min`) as this one's close is noticed.
      connection.close();
      return;
    }
    connection.lastUsedAt = Date.now();
    const waiter = this.firstWaiter();
    if (waiter) {
      this.leave(waiter);
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

  private firstWaiter(): Waiter | undefined {
    // Not even an iterator when nobody waits: release is on the per-statement path.
    if (this.waiters.size === 0) return undefined;
    for (const waiter of this.waiters) return waiter;
    return undefined;
  }

  private leave(waiter: Waiter): void {
    this.waiters.delete(waiter);
    clearTimeout(waiter.timer);
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
  }

  private rejectWaiters(error: Error): void {
    for (const waiter of [...this.waiters]) {
      this.leave(waiter);
      waiter.reject(error);
    }
  }

  /**
   * Opens what the queue still needs beyond the connections already being opened, up to `max`.
   * While down, a single connect probes for the whole queue.
   */
  private openForWaiters(): void {
    if (this.closed || this.waiters.size === 0) return;
    if (!this.up) {
      if (this.connecting === 0) this.openOne();
      return;
    }
    if (this.retryTimer) return;
    let missing = this.waiters.size - this.connecting;
    while (missing-- > 0 && this.all.size + this.connecting < this.options.max) this.openOne();
  }

  /** Opens a connection in the background; it goes to the first waiter, else to the idle set. */
  private openOne(): void {
    this.connecting++;
    this.connect({
      endpoint: this.endpoint,
      flavor: this.flavor,
      mariaDbFlavor: this.mariaDbFlavor,
      connectTimeoutMs: this.options.connectTimeoutMs,
      maxPacketSize: this.options.maxPacketSize,
    }).then(
      (connection) => {
        this.connecting--;
        this.opened(connection);
      },
      (error: Error) => {
        this.connecting--;
        this.openFailed(error);
      },
    );
  }

  private opened(connection: BackendConnection): void {
    if (this.closed) {
      connection.close();
      return;
    }
    this.all.add(connection);
    connection.onClose = (closed, error) => this.forget(closed, error);
    this.retryDelayMs = 0;
    if (!this.up) {
      this.up = true;
      this.logger.info({ backend: this.endpoint.name }, 'backend reachable again');
      this.onRecovered?.();
    }
    this.release(connection);
    this.ensureMin();
    this.openForWaiters();
  }

  /**
   * With no connection to show for it (or the backend marked down), the queue fails now rather
   * than after waitTimeoutMs: its connects would fail the same way. Otherwise the backend only
   * refuses more connections (max_connections?) and the queue waits for releases.
   */
  private openFailed(error: Error): void {
    if (this.closed) return;
    this.retryDelayMs = Math.min(this.options.reconnect.maxDelayMs, Math.max(this.options.reconnect.initialDelayMs, this.retryDelayMs * 2));
    this.logger.warn({ backend: this.endpoint.name, err: error.message, retryInMs: this.retryDelayMs }, 'cannot open backend connection');
    if (!this.up) {
      this.rejectWaiters(downError(this.endpoint.name, error));
      return;
    }
    if (this.all.size === 0) this.rejectWaiters(error);
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.ensureMin();
      this.openForWaiters();
    }, this.retryDelayMs);
    this.retryTimer.unref();
  }

  private forget(connection: BackendConnection, error: Error | undefined): void {
    this.all.delete(connection);
    this.idle.delete(connection);
    if (error) this.logger.warn({ backend: this.endpoint.name, threadId: connection.threadId, err: error.message }, 'backend connection lost');
    this.ensureMin();
    this.openForWaiters();
  }

  /** Opens connections up to `min` in the background, backing off while the backend refuses. */
  ensureMin(): void {
    if (this.closed || !this.up || this.retryTimer) return;
    const missing = this.options.min - this.all.size - this.connecting;
    for (let i = 0; i < missing; i++) this.openOne();
  }

  /**
   * A session's max_allowed_packet is the global value when its connection opened (read-only per
   * session): when the global changed since, the pool's connections are replaced as they come back,
   * so new clients see the current value as on MariaDB itself. Checked on an idle connection.
   */
  async checkServerSettings(): Promise<void> {
    if (this.checkingSettings || this.closed) return;
    const connection = this.tryAcquireIdle();
    if (!connection) return;
    this.checkingSettings = true;
    try {
      const [[global, session]] = textRows(await connection.query('SELECT @@global.max_allowed_packet, @@session.max_allowed_packet'), connection.deprecateEof);
      if (global !== session) {
        this.logger.info({ backend: this.endpoint.name, maxAllowedPacket: global }, "the backend's max_allowed_packet changed: replacing pooled connections");
        for (const opened of this.all) this.outdated.add(opened);
      }
    } catch {
      // A failing connection is the heartbeat's and the pool's business, not this check's.
    } finally {
      this.checkingSettings = false;
      this.release(connection);
    }
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

  /**
   * Heartbeat verdict. Down: idle connections are dropped and queued checkouts fail; later ones
   * probe (see acquire). Up: refill and serve the queue.
   */
  setHealthy(healthy: boolean): void {
    if (this.up === healthy) return;
    this.up = healthy;
    if (!healthy) {
      this.closeIdle();
      this.rejectWaiters(downError(this.endpoint.name, undefined));
    } else {
      this.retryDelayMs = 0;
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.ensureMin();
      this.openForWaiters();
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.rejectWaiters(new CathodeError(CathodeErrorCode.SHUTTING_DOWN, 'backend pool is closing'));
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

function downError(backendName: string, cause: Error | undefined): CathodeError {
  const detail = cause ? `: ${cause.message}` : '';
  return new CathodeError(CathodeErrorCode.BACKEND_UNAVAILABLE, `backend ${backendName} is down (heartbeat failing)${detail}`, { cause });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('checkout cancelled', 'AbortError');
}
