import {
  BackendConnection,
  type BackendPool,
  FLAVOR_CAPABILITIES,
  MARIADB_FLAVOR_CAPABILITIES,
  type RelayOutcome,
  RelayInterruptedError,
  type ResponseSink,
} from '@cathode/backend';
import type { ClientConnection, ClientIdentity, CommandFinish, SessionHandler } from '@cathode/frontend';
import {
  CapabilityFlags,
  CommandByte,
  ResponseShape,
  ServerStatus,
  SqlError,
  decodeComFieldList,
  decodeComInitDb,
  decodeComProcessKill,
  decodeComQuery,
  decodeComSetOption,
  encodeComInitDb,
  encodeEofPacket,
  framePayload,
  hasCapability,
  type PacketHeadHook,
  SetOption,
} from '@cathode/wire';
import type { Logger } from 'pino';
import { PreparedStatements } from './prepared/prepared-statements.ts';
import type { RouterContext } from './router-context.ts';
import { appliedStateOf, markReset } from './session/applied-state.ts';
import type { RegisteredSession } from './session/session-registry.ts';
import type { SessionState } from './session/session-state.ts';
import { isInSync, markInSync, syncConnection } from './session/state-sync.ts';
import { integerLiteral } from './sql/escape.ts';
import { type StatementEffects, statementEffects } from './sql/statement-effects.ts';

/** Calls `finish` when a command served by an async method is done (resolving with nothing is success). */
function settle(pending: Promise<void>, finish: CommandFinish): void {
  pending.then(finish, finish);
}

/**
 * One client session's routing: which backend connection serves each command, with what session
 * state, and when a connection is held (pinned) across commands. Implements the frontend's
 * SessionHandler; the frontend owns the protocol, this owns the meaning.
 */
export class ProxySession implements SessionHandler, RegisteredSession {
  readonly connection: ClientConnection;
  readonly context: RouterContext;
  readonly logger: Logger;
  readonly statements: PreparedStatements;
  identity: ClientIdentity | undefined;
  state: SessionState = { schema: undefined, charset: { kind: 'collation', id: 0 }, variables: new Map(), multiStatements: false, version: 0 };
  /** Status flags of the last response: transaction state for COM_PING and friends. */
  statusFlags: number = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
  private pinned: BackendConnection | undefined;
  private readonly pinReasons = new Set<string>();
  /** The connection serving the current command (for KILL QUERY). */
  private current: BackendConnection | undefined;
  private lastBackend: BackendConnection | undefined;
  /** The pool serving the session's schema, looked up again only when the schema changes. */
  private pool: { schema: string | undefined; pool: BackendPool } | undefined;
  /** Where relayed responses go: the client connection. One object for the session's lifetime. */
  private readonly sink: ResponseSink;
  /** The relay in flight (one at a time, as commands are): what to do when it ends, or fails. */
  private relayThen: ((outcome: RelayOutcome) => void) | undefined;
  private relayFail: ((error: unknown) => void) | undefined;

  constructor(connection: ClientConnection, context: RouterContext) {
    this.connection = connection;
    this.context = context;
    this.logger = context.logger.child({ connectionId: connection.connectionId });
    this.statements = new PreparedStatements(this);
    this.sink = {
      write: (bytes) => this.connection.writeFramed(bytes),
      holdsWrittenBytes: () => this.connection.holdsWrittenBytes(),
      onDrain: (resume) => this.connection.onDrain(resume),
      onLocalInfileRequest: () => {
        if (this.current) void this.pumpLocalInfile(this.current);
      },
    };
  }

  get connectionId(): number {
    return this.connection.connectionId;
  }

  get username(): string | undefined {
    return this.identity?.username;
  }

  get idleSince(): number | undefined {
    return this.connection.busy ? undefined : this.connection.lastActivityAt;
  }

  private get flavor(): number {
    return (this.identity?.capabilityFlags ?? 0) & FLAVOR_CAPABILITIES;
  }

  private get mariaDbFlavor(): number {
    return (this.identity?.mariaDbCapabilities ?? 0) & MARIADB_FLAVOR_CAPABILITIES;
  }

  // --- SessionHandler -------------------------------------------------------------------------

  async open(identity: ClientIdentity): Promise<void> {
    this.identity = identity;
    this.state = {
      schema: identity.schema,
      charset: { kind: 'collation', id: identity.characterSet },
      variables: new Map(),
      multiStatements: hasCapability(identity.capabilityFlags, CapabilityFlags.CLIENT_MULTI_STATEMENTS),
      version: 0,
    };
    this.context.registry.add(this);
    // Selecting the schema on a backend connection proves it exists (1049 otherwise).
    if (identity.schema !== undefined) this.checkin(await this.checkout(), undefined);
  }

  async changeUser(identity: ClientIdentity): Promise<void> {
    await this.resetSession();
    await this.open({
      ...identity,
      capabilityFlags: this.identity?.capabilityFlags ?? identity.capabilityFlags,
      mariaDbCapabilities: this.identity?.mariaDbCapabilities ?? identity.mariaDbCapabilities,
    });
  }

  closed(reason: string): void {
    this.context.registry.remove(this.connectionId);
    this.logger.debug({ reason }, 'session closed');
    // A connection cut off mid-response cannot be reused; one merely held is reset and returned.
    if (this.current) this.current.destroy(undefined);
    this.statements.closeAll();
    const pinned = this.pinned;
    this.pinned = undefined;
    if (pinned && pinned !== this.current) void this.resetAndRelease(pinned);
  }

  command(payload: Buffer, framed: Buffer | undefined, finish: CommandFinish): void {
    switch (payload[0]) {
      case CommandByte.COM_QUERY:
        this.query(payload, framed ?? framePayload(payload, 0).bytes, finish);
        return;
      case CommandByte.COM_STMT_PREPARE:
        settle(this.statements.prepare(payload, framed ?? framePayload(payload, 0).bytes), finish);
        return;
      case CommandByte.COM_STMT_EXECUTE:
        this.statements.execute(payload, framed ?? framePayload(payload, 0).bytes, finish);
        return;
      case CommandByte.COM_STMT_SEND_LONG_DATA:
        this.statements.appendLongData(payload);
        break;
      case CommandByte.COM_STMT_CLOSE:
        this.statements.close(payload);
        break;
      case CommandByte.COM_STMT_RESET:
        settle(this.statements.reset(payload), finish);
        return;
      case CommandByte.COM_STMT_FETCH:
        settle(this.statements.fetch(payload, framed ?? framePayload(payload, 0).bytes), finish);
        return;
      case CommandByte.COM_INIT_DB:
        settle(this.initDb(decodeComInitDb(payload)), finish);
        return;
      case CommandByte.COM_PING:
        this.connection.writeOk({ statusFlags: this.statusFlags });
        break;
      case CommandByte.COM_FIELD_LIST:
        decodeComFieldList(payload);
        settle(this.relayCommand(payload, ResponseShape.FIELD_LIST), finish);
        return;
      case CommandByte.COM_STATISTICS:
        settle(this.relayCommand(payload, ResponseShape.SINGLE), finish);
        return;
      case CommandByte.COM_SET_OPTION:
        this.setOption(decodeComSetOption(payload));
        break;
      case CommandByte.COM_RESET_CONNECTION:
        settle(
          this.resetSession().then(() => {
            this.connection.writeOk({ statusFlags: this.statusFlags });
          }),
          finish,
        );
        return;
      case CommandByte.COM_PROCESS_KILL:
        settle(this.killStatement(decodeComProcessKill(payload), false), finish);
        return;
      default:
        throw SqlError.of('ER_UNKNOWN_COM_ERROR');
    }
    finish();
  }

  // --- RegisteredSession ------------------------------------------------------------------------

  /** This session is the target of a KILL: stop its running statement on the backend, and maybe the session. */
  async interrupt(queryOnly: boolean): Promise<void> {
    const running = this.current;
    // First, or the interrupted statement's own error (1317) may reach the client before 1927 does.
    if (!queryOnly) this.connection.closeWithError(SqlError.of('ER_CONNECTION_KILLED'), 'killed');
    if (running) {
      try {
        const killer = await BackendConnection.connect({ endpoint: running.endpoint, flavor: 0, connectTimeoutMs: this.context.connectTimeoutMs });
        await killer.query(`KILL QUERY ${integerLiteral(running.threadId)}`).finally(() => killer.close());
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, 'could not interrupt backend statement');
      }
    }
  }

  close(reason: string): void {
    this.logger.info({ reason }, 'closing session');
    this.connection.close(reason);
  }

  drain(): void {
    this.connection.closeWhenIdle('server shutting down');
  }

  // --- commands ---------------------------------------------------------------------------------

  private query(payload: Buffer, framed: Buffer, finish: CommandFinish): void {
    const effects = statementEffects(decodeComQuery(payload));
    if (effects.kill) {
      settle(this.killStatement(effects.kill.connectionId, effects.kill.queryOnly), finish);
      return;
    }
    if (effects.schema !== undefined) this.assertSchemaAllowed(effects.schema);
    const relay = (connection: BackendConnection) =>
      this.relayOn(
        connection,
        framed,
        ResponseShape.RESULT,
        undefined,
        (outcome) => {
          if (!outcome.failed) this.track(effects, connection);
          if (effects.pinReason) this.pinReasons.add(effects.pinReason);
          this.checkin(connection, outcome.statusFlags);
          finish();
        },
        finish,
      );
    const ready = this.checkout();
    // A connection ready at once is used without a microtask turn: this is the per-statement path.
    if (ready instanceof Promise) ready.then(relay, finish);
    else relay(ready);
  }

  /** Forwards a command whose response needs no interpretation beyond its end. */
  async relayCommand(payload: Buffer, shape: typeof ResponseShape.FIELD_LIST | typeof ResponseShape.SINGLE): Promise<void> {
    const connection = await this.checkout();
    const outcome = await this.relayed(connection, framePayload(payload, 0).bytes, shape);
    this.checkin(connection, outcome.statusFlags);
  }

  private async initDb(schema: string): Promise<void> {
    this.assertSchemaAllowed(schema);
    const connection = await this.checkout();
    try {
      const response = await connection.run(encodeComInitDb(schema), ResponseShape.OK);
      if (response.error) throw response.error;
      this.state.schema = schema;
      this.state.version++;
      appliedStateOf(connection).schema = schema;
      markInSync(connection, this.state);
      this.checkin(connection, response.statusFlags);
      this.connection.writeOk({ statusFlags: this.statusFlags });
    } catch (error) {
      this.checkinAfterError(connection);
      throw error;
    }
  }

  private setOption(option: number): void {
    if (option !== SetOption.MULTI_STATEMENTS_ON && option !== SetOption.MULTI_STATEMENTS_OFF) throw SqlError.of('ER_UNKNOWN_COM_ERROR');
    this.state.multiStatements = option === SetOption.MULTI_STATEMENTS_ON;
    this.state.version++;
    // Like the server: an EOF packet, or its OK replacement under CLIENT_DEPRECATE_EOF.
    if (hasCapability(this.connection.capabilityFlags, CapabilityFlags.CLIENT_DEPRECATE_EOF)) this.connection.writeOk({ header: 0xfe, statusFlags: this.statusFlags });
    else this.connection.writePacket(encodeEofPacket({ warnings: 0, statusFlags: this.statusFlags }));
  }

  /** Back to a fresh session (COM_RESET_CONNECTION, COM_CHANGE_USER): statements closed, state and pins dropped. */
  private async resetSession(): Promise<void> {
    this.statements.closeAll();
    const pinned = this.pinned;
    this.pinned = undefined;
    this.pinReasons.clear();
    if (pinned) await this.resetAndRelease(pinned);
    const identity = this.identity;
    if (identity) {
      this.state = {
        schema: this.state.schema,
        charset: { kind: 'collation', id: identity.characterSet },
        variables: new Map(),
        multiStatements: hasCapability(identity.capabilityFlags, CapabilityFlags.CLIENT_MULTI_STATEMENTS),
        version: 0,
      };
    }
    this.statusFlags = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
  }

  private assertSchemaAllowed(schema: string): void {
    const account = this.identity && this.context.users.find(this.identity.username);
    if (!account || !this.context.users.mayUseSchema(account, schema)) {
      throw SqlError.of('ER_DBACCESS_DENIED_ERROR', this.identity?.username ?? '', this.connection.remoteAddress, schema);
    }
  }

  /** Remembers what a successful statement changed, on the session and on the connection that ran it. */
  private track(effects: StatementEffects, connection: BackendConnection): void {
    if (effects.unlocksTables) {
      this.pinReasons.delete('LOCK TABLES');
      this.pinReasons.delete('FLUSH ... LOCK');
    }
    if (effects.schema === undefined && effects.names === undefined && effects.variables.size === 0) return;
    const applied = appliedStateOf(connection);
    if (effects.schema !== undefined) {
      this.state.schema = effects.schema;
      applied.schema = effects.schema;
    }
    if (effects.names !== undefined) {
      this.state.charset = { kind: 'names', sql: effects.names };
      applied.charset = this.state.charset;
    }
    for (const [name, assignment] of effects.variables) {
      this.state.variables.set(name, assignment);
      applied.variables.set(name, assignment);
    }
    this.state.version++;
    markInSync(connection, this.state);
  }

  // --- backend connections ----------------------------------------------------------------------

  /**
   * The connection for the next command, in the session's state: the pinned one, or one from the
   * pool. Returned as is, not as a promise, when it needs nothing done first (the usual case).
   */
  checkout(): BackendConnection | Promise<BackendConnection> {
    const connection = this.pinned ?? this.sessionPool().tryAcquireIdle(this.lastBackend);
    if (connection && isInSync(connection, this.state)) return connection;
    return this.checkoutAndSync(connection);
  }

  private async checkoutAndSync(acquired: BackendConnection | undefined): Promise<BackendConnection> {
    const connection = acquired ?? (await this.sessionPool().acquire(this.lastBackend));
    try {
      await syncConnection(connection, this.state, this.context.collations);
    } catch (error) {
      this.checkinAfterError(connection);
      throw error;
    }
    return connection;
  }

  /**
   * After a command: keep the connection while the session holds state on it, else return it.
   * `statusFlags` undefined: the response said nothing of the transaction state, which stays as it was.
   */
  checkin(connection: BackendConnection, statusFlags: number | undefined): void {
    if (statusFlags !== undefined) this.statusFlags = statusFlags;
    this.lastBackend = connection;
    const inTransaction = (this.statusFlags & ServerStatus.SERVER_STATUS_IN_TRANS) !== 0 || (this.statusFlags & ServerStatus.SERVER_STATUS_AUTOCOMMIT) === 0;
    if (inTransaction || this.pinReasons.size > 0 || this.statements.openCursors > 0) {
      this.pinned = connection;
      return;
    }
    this.pinned = undefined;
    this.poolOf(connection).release(connection);
  }

  /** A command failed before its response: the connection is fine unless it closed. */
  checkinAfterError(connection: BackendConnection): void {
    if (connection.closed) {
      this.unpinLost(connection);
      return;
    }
    this.checkin(connection, undefined);
  }

  private unpinLost(connection: BackendConnection): void {
    if (this.pinned === connection) {
      this.pinned = undefined;
      this.pinReasons.clear();
      this.statusFlags = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
    }
    this.statements.forgetConnection(connection);
  }

  private sessionPool(): BackendPool {
    const schema = this.state.schema;
    if (!this.pool || this.pool.schema !== schema) {
      this.pool = { schema, pool: this.context.pools.pool(this.context.backendFor(schema).name, this.flavor, this.mariaDbFlavor) };
    }
    return this.pool.pool;
  }

  private poolOf(connection: BackendConnection): BackendPool {
    const cached = this.pool?.pool;
    if (cached && cached.endpoint.name === connection.endpoint.name && cached.flavor === connection.flavor && cached.mariaDbFlavor === connection.mariaDbFlavor) return cached;
    return this.context.pools.pool(connection.endpoint.name, connection.flavor, connection.mariaDbFlavor);
  }

  private async resetAndRelease(connection: BackendConnection): Promise<void> {
    try {
      const response = await connection.run(Buffer.of(CommandByte.COM_RESET_CONNECTION), ResponseShape.OK);
      if (response.error) throw response.error;
      markReset(connection);
      this.poolOf(connection).release(connection);
    } catch {
      connection.destroy(undefined);
    }
  }

  /**
   * Sends a command and streams the response to the client, then calls `then` with the outcome
   * (or `fail` with what `then` threw). A backend that dies mid-response ends the client's
   * response with an error when the stream allows it, else the client connection; `fail` gets the
   * error to answer with. Callbacks, not a promise: this is the per-statement path.
   */
  relayOn(connection: BackendConnection, framedCommand: Buffer, shape: ResponseShape, onHead: PacketHeadHook | undefined, then: (outcome: RelayOutcome) => void, fail: (error: unknown) => void): void {
    this.current = connection;
    this.relayThen = then;
    this.relayFail = fail;
    try {
      connection.relay(framedCommand, shape, this.sink, onHead, this.relayEnded);
    } catch (error) {
      this.relayThen = undefined;
      this.relayFail = undefined;
      fail(this.relayFailed(connection, error));
    }
  }

  /** `relayOn` for the commands that are not on the per-statement path. */
  relayed(connection: BackendConnection, framedCommand: Buffer, shape: ResponseShape, onHead?: PacketHeadHook): Promise<RelayOutcome> {
    return new Promise((resolve, reject) => this.relayOn(connection, framedCommand, shape, onHead, resolve, reject));
  }

  private readonly relayEnded = (error: Error | undefined, outcome: RelayOutcome | undefined): void => {
    const connection = this.current!;
    const then = this.relayThen!;
    const fail = this.relayFail!;
    this.current = undefined;
    this.relayThen = undefined;
    this.relayFail = undefined;
    if (!outcome) {
      fail(this.relayFailed(connection, error));
      return;
    }
    this.connection.sequenceId = (outcome.lastSequenceId + 1) & 0xff;
    try {
      then(outcome);
    } catch (thrown) {
      fail(thrown);
    }
  };

  /** The error to answer a failed relay with, after releasing what it held. */
  private relayFailed(connection: BackendConnection, error: unknown): unknown {
    this.current = undefined;
    this.unpinLost(connection);
    if (!(error instanceof RelayInterruptedError)) {
      this.checkinAfterError(connection);
      return error;
    }
    this.logger.warn({ backend: connection.endpoint.name, err: error.message }, 'backend lost during a statement');
    if (error.forwardedAny && error.atPacketBoundary) this.connection.sequenceId = (error.lastSequenceId + 1) & 0xff;
    else if (error.forwardedAny) this.connection.destroy('backend lost in the middle of a packet');
    return SqlError.of('CR_SERVER_LOST');
  }

  /** LOAD DATA LOCAL: the client's file packets go to the backend until the empty packet. */
  private async pumpLocalInfile(connection: BackendConnection): Promise<void> {
    try {
      for (;;) {
        const packet = await this.connection.nextPacket();
        const finished = packet.payload.length === 0;
        connection.sendLocalInfileData(framePayload(packet.payload, packet.sequenceId).bytes, finished);
        if (finished) return;
      }
    } catch (error) {
      connection.destroy(error as Error);
    }
  }

  // --- KILL -------------------------------------------------------------------------------------

  private async killStatement(targetId: number, queryOnly: boolean): Promise<void> {
    const username = this.identity?.username ?? '';
    if (targetId === this.connectionId) {
      if (queryOnly) this.connection.writeOk({ statusFlags: this.statusFlags });
      else this.connection.closeWithError(SqlError.of('ER_CONNECTION_KILLED'), 'killed itself');
      return;
    }
    const result = this.context.registry.get(targetId)
      ? await this.context.registry.kill(targetId, queryOnly, username)
      : await this.context.killRemote(targetId, queryOnly, username);
    if (result === 'unknown') throw SqlError.of('ER_NO_SUCH_THREAD', targetId);
    if (result === 'denied') throw SqlError.of('ER_KILL_DENIED_ERROR', targetId);
    this.connection.writeOk({ statusFlags: this.statusFlags });
  }
}
