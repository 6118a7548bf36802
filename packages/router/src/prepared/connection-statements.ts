import type { BackendConnection } from '@cathode/backend';
import { encodeComStmtClose } from '@cathode/wire';

/** Unreferenced statements a connection keeps for the next session that prepares the same SQL. */
export const IDLE_STATEMENTS_PER_CONNECTION = 64;

/**
 * A server-side prepared statement on one backend connection, shared by every session that
 * prepares the same SQL in the same schema and modes while it is served by that connection: with
 * many clients funnelled into few connections, statements are not prepared again and closed on
 * every execute (MariaDB's own max_prepared_stmt_count stays far away, too).
 */
export interface SharedStatement {
  readonly id: number;
  readonly key: string;
  /** Client statements bound to it: while any is, it is not evicted. */
  refs: number;
  /** The parameter types the server holds for it: those of the last execute that sent types. */
  types: Buffer | undefined;
  /** Its PREPARE response (PREPARE_OK first): what a client preparing the same SQL is answered with. */
  readonly response: readonly Buffer[];
  /** The column definitions in `response`; under metadata caching, what a client must hold to execute it. */
  readonly definitions: readonly Buffer[];
  /** An identity of `definitions` (empty when there are none), compared per execute under metadata caching. */
  readonly definitionsKey: string;
  /** False once closed, freed by a reset, or when the server sent changed definitions (a schema change). */
  valid: boolean;
}

/** One backend connection's shared statements, least recently used first. */
export class ConnectionStatements {
  private readonly byKey = new Map<string, SharedStatement>();
  private readonly connection: BackendConnection;
  /** Statement ids to close before the connection's next command (it was busy when they were dropped). */
  private readonly pendingCloses: number[];
  /** Statements in `byKey` no client statement is bound to. */
  private idle = 0;

  constructor(connection: BackendConnection, pendingCloses: number[]) {
    this.connection = connection;
    this.pendingCloses = pendingCloses;
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The valid statement for `key`, taken by one more client statement. */
  take(key: string): SharedStatement | undefined {
    const statement = this.byKey.get(key);
    if (!statement) return undefined;
    // Most recently used last: eviction takes from the front.
    this.byKey.delete(key);
    this.byKey.set(key, statement);
    if (statement.refs++ === 0) this.idle--;
    return statement;
  }

  /** A statement just prepared, taken by the client statement that prepared it. */
  add(statement: SharedStatement): void {
    const old = this.byKey.get(statement.key);
    if (old) this.drop(old);
    statement.refs = 1;
    this.byKey.set(statement.key, statement);
  }

  /** A client statement lets go; the statement stays for others until there are too many idle ones. */
  release(statement: SharedStatement): void {
    if (--statement.refs > 0) return;
    if (!statement.valid) {
      this.close(statement);
      return;
    }
    this.idle++;
    if (this.idle > IDLE_STATEMENTS_PER_CONNECTION) this.evictIdle();
  }

  /** The server sent changed column definitions: no client may take it again, and it goes once free. */
  invalidate(statement: SharedStatement): void {
    if (statement.valid && this.byKey.get(statement.key) === statement) this.drop(statement);
    statement.valid = false;
  }

  /** COM_RESET_CONNECTION freed them all on the server. */
  forgetAll(): void {
    for (const statement of this.byKey.values()) statement.valid = false;
    this.byKey.clear();
    this.idle = 0;
  }

  private evictIdle(): void {
    for (const statement of this.byKey.values()) {
      if (this.idle <= IDLE_STATEMENTS_PER_CONNECTION) return;
      if (statement.refs === 0) this.drop(statement);
    }
  }

  private drop(statement: SharedStatement): void {
    statement.valid = false;
    this.byKey.delete(statement.key);
    if (statement.refs > 0) return;
    this.idle--;
    this.close(statement);
  }

  private close(statement: SharedStatement): void {
    if (this.connection.closed) return;
    if (this.connection.busy) this.pendingCloses.push(statement.id);
    else this.connection.send(encodeComStmtClose(statement.id));
  }
}
