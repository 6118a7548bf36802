import type { BackendConnection, BackendPool } from '@cathode/backend';
import { CathodeError, CathodeErrorCode, CommandByte, ResponseShape, ServerStatus } from '@cathode/wire';
import type { DataNode } from '../routing/data-node.ts';
import { markReset } from './applied-state.ts';
import type { SessionState } from './session-state.ts';
import { type CollationTable, isInSync, syncConnection } from './state-sync.ts';

/** What a lease needs of the session that holds it. */
export interface LeaseHolder {
  /** Read at each checkout: the session replaces its state object on a reset. */
  readonly state: SessionState;
  readonly collations: CollationTable;
  /** A connection given up in the middle of a statement: its backend thread must be stopped. */
  abandoned(connection: BackendConnection): void;
}

/** The session closed while one of its checkouts waited: the connection went back to the pool. */
export class LeaseCancelledError extends CathodeError {
  constructor() {
    super(CathodeErrorCode.SHUTTING_DOWN, 'the session closed while waiting for a backend connection');
  }
}

/**
 * A session's claim on one data node: at most one backend connection at a time, checked out for a
 * command with the session's state applied, kept across commands while something pins it (an open
 * transaction, a reason the statement gave, an open cursor), reset when anything unaccounted for
 * ran on it, and given back to the pool otherwise.
 */
export class Lease {
  readonly node: DataNode;
  readonly pool: BackendPool;
  private readonly holder: LeaseHolder;
  /** The connection kept between commands while pinned. */
  private held: BackendConnection | undefined;
  /** The connection serving the running command. */
  active: BackendConnection | undefined;
  /** The connection used last, asked for again for affinity (its prepared statements and state are warm). */
  private last: BackendConnection | undefined;
  /** Why the connection is kept besides a transaction: 'LOCK TABLES', 'temporary table', ... */
  readonly pinReasons = new Set<string>();
  /** Statements with an open cursor on this lease's connection. */
  openCursors = 0;
  /** Status flags of the last response on this node said a transaction is open. */
  inTransaction = false;
  /** Temporary tables created on the connection and not dropped yet: they pin it. */
  private readonly temporaryTables = new Set<string>();
  /** Why the connection's state is unknown (CALL, an unclassified statement): it is reset before it leaves. */
  untracked: string | undefined;
  private closed = false;
  /** While set, a connection given back waits for it (a KILL QUERY under way must not reach its next user). */
  private hold: Promise<void> | undefined;
  /** Cancels a checkout waiting in the pool's queue when the session closes. */
  private waiting: AbortController | undefined;

  constructor(node: DataNode, pool: BackendPool, holder: LeaseHolder) {
    this.node = node;
    this.pool = pool;
    this.holder = holder;
  }

  /** True while the session keeps a connection of this node across commands. */
  get pinned(): boolean {
    return this.inTransaction || this.pinReasons.size > 0 || this.openCursors > 0;
  }

  /** The connection kept across commands, if any: the one that will serve the next command. */
  get heldConnection(): BackendConnection | undefined {
    return this.held;
  }

  private get schema(): string | undefined {
    return this.node.database ?? this.holder.state.schema;
  }

  /**
   * The connection for the next command, in the session's state. Returned as is, not as a promise,
   * when it needs nothing done first (the per-statement path). A pinned connection that was lost
   * fails with PinnedStateLostError: what it held (a transaction) is gone.
   */
  checkout(): BackendConnection | Promise<BackendConnection> {
    const held = this.held;
    if (held) {
      if (held.closed) return Promise.reject(this.lostPinned(held));
      if (isInSync(held, this.holder.state, this.schema)) return (this.active = held);
      return this.syncAndActivate(held);
    }
    const idle = this.pool.tryAcquireIdle(this.last);
    if (idle && isInSync(idle, this.holder.state, this.schema)) return (this.active = idle);
    return this.acquireAndSync(idle);
  }

  private async acquireAndSync(idle: BackendConnection | undefined): Promise<BackendConnection> {
    let connection = idle;
    if (!connection) {
      const waiting = new AbortController();
      this.waiting = waiting;
      try {
        connection = await this.pool.acquire(this.last, waiting.signal);
      } finally {
        if (this.waiting === waiting) this.waiting = undefined;
      }
    }
    if (this.closed) {
      this.pool.release(connection);
      throw new LeaseCancelledError();
    }
    return this.syncAndActivate(connection);
  }

  private async syncAndActivate(connection: BackendConnection): Promise<BackendConnection> {
    this.active = connection;
    try {
      await syncConnection(connection, this.holder.state, this.schema, this.holder.collations);
    } catch (error) {
      this.checkinAfterError(connection);
      throw error;
    }
    if (this.closed) {
      this.active = undefined;
      this.giveBack(connection);
      throw new LeaseCancelledError();
    }
    return connection;
  }

  /**
   * After a command: keep the connection while pinned, else give it back. `statusFlags`
   * undefined: the response said nothing of the transaction state, which stays as it was.
   */
  checkin(connection: BackendConnection, statusFlags: number | undefined): void {
    if (this.active === connection) this.active = undefined;
    if (statusFlags !== undefined) {
      this.inTransaction = (statusFlags & ServerStatus.SERVER_STATUS_IN_TRANS) !== 0 || (statusFlags & ServerStatus.SERVER_STATUS_AUTOCOMMIT) === 0;
    }
    this.last = connection;
    if (this.pinned && !this.closed) {
      this.held = connection;
      return;
    }
    this.held = undefined;
    this.giveBack(connection);
  }

  /**
   * A command failed before or during its response. Returns the error that pinned state was lost
   * with (the session cannot go on), or undefined when only the statement failed.
   */
  checkinAfterError(connection: BackendConnection): PinnedStateLostError | undefined {
    if (!connection.closed) {
      this.checkin(connection, undefined);
      return undefined;
    }
    if (this.active === connection) this.active = undefined;
    if (this.last === connection) this.last = undefined;
    const wasPinned = this.held === connection || this.pinned;
    this.held = undefined;
    return wasPinned ? this.lostPinned(connection) : undefined;
  }

  private lostPinned(connection: BackendConnection): PinnedStateLostError {
    const what = this.inTransaction ? 'a transaction' : [...this.pinReasons].join(', ') || 'an open cursor';
    this.held = undefined;
    this.clearPins();
    return new PinnedStateLostError(`lost the connection to backend ${connection.endpoint.name} holding ${what}`);
  }

  /** The temporary-table pin lasts while any table the session created is not dropped. */
  trackTemporaryTables(created: readonly string[], dropped: readonly string[]): void {
    if (created.length === 0 && dropped.length === 0) return;
    for (const name of created) this.temporaryTables.add(name.toLowerCase());
    for (const name of dropped) this.temporaryTables.delete(name.toLowerCase());
    if (this.temporaryTables.size === 0) this.pinReasons.delete('temporary table');
  }

  clearPins(): void {
    this.temporaryTables.clear();
    this.pinReasons.clear();
    this.openCursors = 0;
    this.inTransaction = false;
  }

  /** Back to the pool, reset first when its state is not what the pool expects. */
  /** Connections given back while `work` runs go to the pool only after it. */
  holdWhile(work: Promise<void>): void {
    const hold = work.then(() => {
      if (this.hold === hold) this.hold = undefined;
    });
    this.hold = hold;
  }

  private giveBack(connection: BackendConnection): void {
    if (connection.closed) return;
    if (this.hold) {
      void this.hold.then(() => this.giveBack(connection));
      return;
    }
    if (this.untracked === undefined && !this.closed) {
      this.pool.release(connection);
      return;
    }
    this.untracked = undefined;
    void resetAndRelease(connection, this.pool);
  }

  /**
   * The session ends (or resets): a connection cut off mid-response cannot be reused, a held one
   * is reset (its transaction rolled back, locks and temporary tables dropped) before the pool
   * gets it, and a checkout still waiting hands its connection straight back.
   */
  async release(closing: boolean): Promise<void> {
    if (closing) {
      this.closed = true;
      this.waiting?.abort(new LeaseCancelledError());
    }
    const active = this.active;
    this.active = undefined;
    if (active && !active.closed) {
      active.destroy(undefined);
      this.holder.abandoned(active);
    }
    const held = this.held;
    this.held = undefined;
    this.last = undefined;
    this.clearPins();
    this.untracked = undefined;
    if (held && held !== active) await resetAndRelease(held, this.pool);
  }
}

/** A pinned connection (a transaction, locks, temporary tables) was lost: the session must end. */
export class PinnedStateLostError extends CathodeError {
  constructor(message: string) {
    super(CathodeErrorCode.BACKEND_LOST, message);
  }
}

/** COM_RESET_CONNECTION, then back to the pool; a connection that cannot be reset is closed. */
async function resetAndRelease(connection: BackendConnection, pool: BackendPool): Promise<void> {
  try {
    const response = await connection.run(Buffer.of(CommandByte.COM_RESET_CONNECTION), ResponseShape.OK);
    if (response.error) throw response.error;
    markReset(connection);
    pool.release(connection);
  } catch {
    connection.destroy(undefined);
  }
}
