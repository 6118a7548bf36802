import { type BackendConnection, FLAVOR_CAPABILITIES, MARIADB_FLAVOR_CAPABILITIES, type RelayOutcome, RelayInterruptedError, textRows } from '@cathode/backend';
import { type ClientConnection, type ClientIdentity, type CommandFinish, ResultWriter, type SessionHandler } from '@cathode/frontend';
import {
  CapabilityFlags,
  CommandByte,
  type PacketHeadHook,
  ResponseShape,
  ServerStatus,
  SetOption,
  SqlError,
  decodeComFieldList,
  decodeComInitDb,
  decodeComProcessKill,
  decodeComSetOption,
  encodeComInitDb,
  encodeEofPacket,
  framePayload,
  hasCapability,
} from '@cathode/wire';
import type { Logger } from 'pino';
import { PreparedStatements } from './prepared/prepared-statements.ts';
import type { StatementSession } from './prepared/statement-session.ts';
import type { RouterContext } from './router-context.ts';
import type { DataNode } from './routing/data-node.ts';
import type { RouteTarget } from './routing/route-plan.ts';
import { appliedStateOf } from './session/applied-state.ts';
import { killBackendThread } from './session/backend-kill.ts';
import { ClientRelay } from './session/client-relay.ts';
import { type FanOutHost, fanOutConcatenate } from './session/fan-out.ts';
import { Lease, PinnedStateLostError } from './session/lease.ts';
import { type AnsweringSession, answerSessionFunction, rewrittenQuery, showProcessList } from './session/local-answers.ts';
import type { ProcessRow } from './session/processlist.ts';
import { SessionActivity } from './session/session-activity.ts';
import { prepareSessionFunctions, recordStatement } from './session/session-functions.ts';
import { type KillingSession, killConnection, killFromText } from './session/session-kill.ts';
import type { RegisteredSession } from './session/session-registry.ts';
import type { SessionState } from './session/session-state.ts';
import { markInSync } from './session/state-sync.ts';
import { type AdmittingSession, StatementAdmission } from './session/statement-admission.ts';
import { StatementOutcomes } from './session/statement-outcomes.ts';
import { changesSessionState, trackSessionState, updatePins } from './session/statement-tracking.ts';
import { WaitTimeouts, waitTimeoutSeconds } from './session/wait-timeout.ts';
import type { StatementAnalysis } from './sql/statement-analysis-result.ts';

/** This reactor thread's clock for sessions with a wait_timeout of their own (module state is per worker thread). */
const waitTimeouts = new WaitTimeouts();

/** Calls `finish` when a command served by an async method is done (resolving with nothing is success). */
function settle(pending: Promise<void>, finish: CommandFinish): void {
  pending.then(finish, finish);
}

/**
 * One client session: what each command means, which data node's lease serves it (as the router
 * plans), and the session state Cathode owns. Implements the frontend's SessionHandler; the
 * frontend owns the protocol, this owns the meaning.
 */
export class ProxySession implements SessionHandler, RegisteredSession, StatementSession, FanOutHost, AnsweringSession, KillingSession, AdmittingSession {
  readonly connection: ClientConnection;
  readonly context: RouterContext;
  readonly logger: Logger;
  readonly statements: PreparedStatements;
  readonly outcomes = new StatementOutcomes();
  identity: ClientIdentity | undefined;
  state: SessionState = { schema: undefined, charset: { kind: 'collation', id: 0 }, variables: new Map(), multiStatements: false, version: 0 };
  /** Status flags of the last response: transaction state for COM_PING and friends. */
  statusFlags: number = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
  /** One lease per data node this session has used, by node id. */
  private readonly leases = new Map<number, Lease>();
  /** The identity the leases were taken for: another one (COM_CHANGE_USER) may run as another backend account. */
  private leasesOf: ClientIdentity | undefined;
  /** Streams backend responses to the client, one command at a time. */
  private readonly relay: ClientRelay;
  private ended = false;
  /** The command being served, for SHOW PROCESSLIST. */
  private readonly activity = new SessionActivity();
  /** The connection and serial of the session's last statement: where FOUND_ROWS() and ROW_COUNT() hold. */
  private lastConnection: BackendConnection | undefined;
  private lastSerial = 0;
  /** The checks before any backend sees a statement, and how the session's statements are lexed. */
  private readonly admission: StatementAdmission;

  constructor(connection: ClientConnection, context: RouterContext) {
    this.connection = connection;
    this.context = context;
    this.logger = context.logger.child({ connectionId: connection.connectionId });
    this.statements = new PreparedStatements(this);
    this.relay = new ClientRelay(connection, (lease, backend, error) => this.failed(lease, backend, error));
    this.admission = new StatementAdmission(this, 'utf8mb4');
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

  get maxAllowedPacket(): number {
    return this.context.maxAllowedPacket;
  }

  get collations() {
    return this.context.collations;
  }

  get schema(): string | undefined {
    return this.state.schema;
  }

  get isAdmin(): boolean {
    return this.account()?.admin ?? false;
  }

  get processListUser(): string | undefined {
    return this.isAdmin ? undefined : this.identity?.username;
  }

  resultWriter(): ResultWriter {
    return new ResultWriter(this.connection, { mariaDbCapabilities: this.identity?.mariaDbCapabilities ?? 0 });
  }

  // --- SessionHandler -------------------------------------------------------------------------

  async open(identity: ClientIdentity): Promise<void> {
    this.identity = identity;
    this.state = this.freshState(identity, identity.schema);
    this.admission.reset(this.clientCharset(identity));
    this.context.registry.add(this);
    // Selecting the schema on a backend connection proves it exists (1049 otherwise).
    if (identity.schema !== undefined) {
      const lease = this.leaseFor(this.context.router.nodeForSchema(identity.schema));
      const connection = await lease.checkout();
      lease.checkin(connection, undefined);
    }
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
    this.ended = true;
    waitTimeouts.set(this, undefined);
    this.context.registry.remove(this.connectionId);
    this.logger.debug({ reason }, 'session closed');
    this.statements.closeAll();
    for (const lease of this.leases.values()) void lease.release(true);
  }

  command(payload: Buffer, framed: Buffer | undefined, finish: CommandFinish): void {
    const done = this.activity.begin(payload, finish);
    try {
      this.serve(payload, framed, done);
    } catch (error) {
      done(error);
    }
  }

  private serve(payload: Buffer, framed: Buffer | undefined, finish: CommandFinish): void {
    switch (payload[0]) {
      case CommandByte.COM_QUERY:
        this.query(payload, framed ?? framePayload(payload, 0).bytes, finish);
        return;
      case CommandByte.COM_STMT_PREPARE:
        settle(this.statements.prepare(payload), finish);
        return;
      case CommandByte.COM_STMT_EXECUTE:
        this.statements.execute(payload, framed ?? framePayload(payload, 0).bytes, finish);
        return;
      case CommandByte.COM_STMT_BULK_EXECUTE:
        this.statements.bulkExecute(payload, framed ?? framePayload(payload, 0).bytes, this.identity?.mariaDbCapabilities ?? 0, finish);
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
        this.ping();
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
          this.resetSession().then(() => this.writeOk()),
          finish,
        );
        return;
      case CommandByte.COM_PROCESS_KILL:
        settle(killConnection(this, decodeComProcessKill(payload), false), finish);
        return;
      default:
        throw SqlError.of('ER_UNKNOWN_COM_ERROR');
    }
    finish();
  }

  // --- RegisteredSession ------------------------------------------------------------------------

  /** This session is the target of a KILL: stop its running statement on the backend, and maybe the session. */
  async interrupt(queryOnly: boolean): Promise<void> {
    // KILL CONNECTION: MariaDB 10.11 closes the victim's connection without a word, running or idle;
    // its backend statement is stopped as the session's leases are released.
    if (!queryOnly) {
      this.connection.close('killed');
      return;
    }
    const running = this.relay.running;
    if (!running) return;
    // The connection stays out of the pool until the KILL QUERY is done: it must not hit another session's statement.
    const killing = this.killBackend(running.connection, true);
    running.lease.holdWhile(killing);
    await killing;
  }

  processRow(now: number, infoLimit: number): ProcessRow | undefined {
    const identity = this.identity;
    if (!identity) return undefined;
    const { connection } = this;
    return this.activity.row(
      {
        id: this.connectionId,
        user: identity.username,
        host: `${connection.remoteAddress}:${connection.remotePort}`,
        db: this.state.schema ?? null,
        busy: connection.busy,
        idleSince: connection.lastActivityAt,
        relaying: this.relay.busy,
        preparedSql: (id) => this.statements.sqlOf(id),
      },
      now,
      infoLimit,
    );
  }

  /** LeaseHolder: a statement's connection was given up while the backend still runs it. */
  abandoned(connection: BackendConnection): void {
    void this.killBackend(connection, false);
  }

  private async killBackend(connection: BackendConnection, queryOnly: boolean): Promise<void> {
    try {
      await killBackendThread(connection, queryOnly, this.context.connectTimeoutMs);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, threadId: connection.threadId }, 'could not stop a backend statement');
    }
  }

  close(reason: string): void {
    this.logger.info({ reason }, 'closing session');
    this.connection.close(reason);
  }

  drain(): void {
    this.connection.closeWhenIdle('server shutting down');
  }

  // --- StatementSession -------------------------------------------------------------------------

  leaseForStatements(sql: Buffer): Lease {
    const plan = this.context.router.route(this.state.schema, sql);
    if (plan.kind !== 'passthrough') throw SqlError.of('ER_NOT_SUPPORTED_YET', 'prepared statements that span several data nodes');
    return this.leaseFor(plan.node);
  }

  admit(sql: Buffer): StatementAnalysis | Promise<StatementAnalysis> {
    return this.admission.admit(sql);
  }

  async readSessionSettings(lease: Lease): Promise<{ sqlMode: string; charset: string | undefined }> {
    const connection = await this.checkoutOf(lease);
    let settings: { sqlMode: string; charset: string | undefined };
    try {
      const response = await connection.query('SELECT @@session.sql_mode, @@session.character_set_client, DATABASE()');
      const [[sqlMode, charset, schema]] = textRows(response, connection.deprecateEof);
      settings = { sqlMode: sqlMode ?? '', charset: charset ?? undefined };
      // The schema too: a USE may have run there that Cathode could not follow.
      const current = schema ?? undefined;
      if (current !== this.state.schema) {
        this.state.schema = current;
        this.state.version++;
        appliedStateOf(connection).schema = current;
        markInSync(connection, this.state);
      }
      // A statement of Cathode's own: FOUND_ROWS() and ROW_COUNT() there are no longer the session's.
      appliedStateOf(connection).statementSerial++;
    } catch (error) {
      throw this.failed(lease, connection, error);
    }
    this.checkin(lease, connection, undefined);
    return settings;
  }

  whenSessionFunctionsReady(lease: Lease, connection: BackendConnection, analysis: StatementAnalysis, statement: () => void, finish: (error: unknown) => void): void {
    let ready: Promise<void> | undefined;
    try {
      ready = prepareSessionFunctions(connection, analysis, this.outcomes, this.lastConnection, this.lastSerial);
    } catch (error) {
      finish(this.failed(lease, connection, error));
      return;
    }
    if (ready) ready.then(statement, (error: unknown) => finish(this.failed(lease, connection, error)));
    else statement();
  }

  statementDone(lease: Lease, connection: BackendConnection, outcome: RelayOutcome, analysis: StatementAnalysis | undefined): void {
    this.outcomes.record(outcome);
    this.lastSerial = recordStatement(connection, outcome.lastInsertId);
    this.lastConnection = connection;
    if (analysis) {
      updatePins(lease, analysis, !outcome.failed);
      if (!outcome.failed) {
        trackSessionState(this.state, analysis, connection);
        this.admission.statementRan(analysis, lease);
        // The client's idle timeout is Cathode's to keep: its backend connections are pooled.
        const waitTimeout = analysis.variables.get('wait_timeout');
        if (waitTimeout !== undefined) waitTimeouts.set(this, waitTimeoutSeconds(waitTimeout));
      } else if (analysis.statementCount > 1 && changesSessionState(analysis)) {
        // The statements before the failing one ran: the connection now holds session state
        // Cathode does not know. It stays the session's, and what lexing and the schema depend
        // on is read back from it before the next statement.
        lease.pinReasons.add('failed multi-statement text that changed session state');
        this.admission.settingsUnknownOn(lease);
      }
    }
    this.checkin(lease, connection, outcome.statusFlags);
  }

  checkin(lease: Lease, connection: BackendConnection, statusFlags: number | undefined): void {
    if (statusFlags !== undefined) this.statusFlags = statusFlags;
    lease.checkin(connection, statusFlags);
  }

  /**
   * The error to answer a failed command with, after the lease took its connection back. A lost
   * connection that held a transaction (or locks, temporary tables) ends the session, as MariaDB's
   * own connection would end: the client must never commit half a transaction.
   */
  failed(lease: Lease, connection: BackendConnection, error: unknown): unknown {
    const lost = lease.checkinAfterError(connection);
    if (connection.closed) this.statements.forgetConnection(connection);
    if (lost) return this.endWith(lost);
    if (!(error instanceof RelayInterruptedError)) return error;
    this.logger.warn({ backend: connection.endpoint.name, err: error.message }, 'backend lost during a statement');
    // Once part of the response went out the client connection ends instead (see the frontend's answerFailure).
    return SqlError.of('ER_BACKEND_LOST', connection.endpoint.name);
  }

  writeOk(): void {
    this.connection.writeOk({ statusFlags: this.statusFlags });
  }

  writePacket(payload: Buffer): void {
    this.connection.writePacket(payload);
  }

  relayOn(lease: Lease, connection: BackendConnection, framedCommand: Buffer, shape: ResponseShape, onHead: PacketHeadHook | undefined, then: (outcome: RelayOutcome) => void, fail: (error: unknown) => void): void {
    this.relay.relayOn(lease, connection, framedCommand, shape, onHead, then, fail);
  }

  relayed(lease: Lease, connection: BackendConnection, framedCommand: Buffer, shape: ResponseShape, onHead?: PacketHeadHook): Promise<RelayOutcome> {
    return this.relay.relayed(lease, connection, framedCommand, shape, onHead);
  }

  // --- commands ---------------------------------------------------------------------------------

  private query(payload: Buffer, framed: Buffer, finish: CommandFinish): void {
    const admitted = this.admit(payload.subarray(1));
    if (!(admitted instanceof Promise)) {
      this.queryAdmitted(admitted, payload, framed, finish);
      return;
    }
    // A long text: the reactor serves other sessions while the executor analyses it.
    admitted.then((analysis) => {
      try {
        this.queryAdmitted(analysis, payload, framed, finish);
      } catch (error) {
        finish(error);
      }
    }, finish);
  }

  private queryAdmitted(analysis: StatementAnalysis, payload: Buffer, framed: Buffer, finish: CommandFinish, rewritten = false): void {
    if (analysis.kills.length > 0) {
      settle(killFromText(this, analysis), finish);
      return;
    }
    if (analysis.processList) {
      settle(showProcessList(this, analysis), finish);
      return;
    }
    if (analysis.localAnswer) {
      answerSessionFunction(this, analysis.localAnswer);
      finish();
      return;
    }
    if (!rewritten && (analysis.connectionIdCalls.length > 0 || analysis.processListTables.length > 0)) {
      rewrittenQuery(this, payload, analysis).then((framedRewrite) => {
        try {
          this.queryAdmitted(analysis, payload, framedRewrite, finish, true);
        } catch (error) {
          finish(error);
        }
      }, finish);
      return;
    }
    const plan = this.context.router.route(this.state.schema, payload.subarray(1));
    if (plan.kind === 'fan-out') {
      settle(this.fanOut(plan.targets), finish);
      return;
    }
    const lease = this.leaseFor(plan.node);
    // Only LOAD DATA LOCAL may make the backend ask the client for a file.
    const shape = analysis.localInfile ? ResponseShape.RESULT : ResponseShape.RESULT_WITHOUT_LOCAL_INFILE;
    const relay = (connection: BackendConnection) => {
      // No closure for the usual statement, which uses no session function.
      if (analysis.sessionFunctions === 0) this.relayStatement(lease, connection, framed, shape, analysis, finish);
      else this.whenSessionFunctionsReady(lease, connection, analysis, () => this.relayStatement(lease, connection, framed, shape, analysis, finish), finish);
    };
    const ready = lease.checkout();
    // A connection ready at once is used without a microtask turn: this is the per-statement path.
    if (ready instanceof Promise) ready.then(relay, (error: unknown) => finish(this.checkoutFailed(error)));
    else relay(ready);
  }

  private relayStatement(lease: Lease, connection: BackendConnection, framed: Buffer, shape: ResponseShape, analysis: StatementAnalysis, finish: CommandFinish): void {
    this.relayOn(
      lease,
      connection,
      framed,
      shape,
      undefined,
      (outcome) => {
        this.statementDone(lease, connection, outcome, analysis);
        finish();
      },
      finish,
    );
  }

  /** A statement the router spread over several data nodes, answered as one. */
  private async fanOut(targets: readonly RouteTarget[]): Promise<void> {
    await fanOutConcatenate(this, targets, this.resultWriter());
  }

  /** Forwards a command whose response needs no interpretation beyond its end. */
  private async relayCommand(payload: Buffer, shape: typeof ResponseShape.FIELD_LIST | typeof ResponseShape.SINGLE): Promise<void> {
    const lease = this.leaseFor(this.context.router.nodeForSchema(this.state.schema));
    const connection = await this.checkoutOf(lease);
    const outcome = await this.relayed(lease, connection, framePayload(payload, 0).bytes, shape);
    this.checkin(lease, connection, outcome.statusFlags);
  }

  private async initDb(schema: string): Promise<void> {
    this.assertSchemaAllowed(schema);
    const lease = this.leaseFor(this.context.router.nodeForSchema(schema));
    const connection = await this.checkoutOf(lease);
    try {
      const response = await connection.run(encodeComInitDb(schema), ResponseShape.OK);
      if (response.error) throw response.error;
      this.state.schema = schema;
      this.state.version++;
      appliedStateOf(connection).schema = schema;
      markInSync(connection, this.state);
      this.checkin(lease, connection, response.statusFlags);
      this.writeOk();
    } catch (error) {
      throw this.failed(lease, connection, error);
    }
  }

  /** Alive only while the backend serving the session's schema is: a load balancer's ping must see an outage. */
  private ping(): void {
    const node = this.context.router.nodeForSchema(this.state.schema);
    if (!this.leaseFor(node).pool.healthy) throw SqlError.of('ER_CONNECT_TO_FOREIGN_DATA_SOURCE', `backend ${node.backend.name} is down`);
    this.writeOk();
  }

  private setOption(option: number): void {
    if (option !== SetOption.MULTI_STATEMENTS_ON && option !== SetOption.MULTI_STATEMENTS_OFF) throw SqlError.of('ER_UNKNOWN_COM_ERROR');
    this.state.multiStatements = option === SetOption.MULTI_STATEMENTS_ON;
    this.state.version++;
    // Like the server: an EOF packet, or its OK replacement under CLIENT_DEPRECATE_EOF.
    if (hasCapability(this.connection.capabilityFlags, CapabilityFlags.CLIENT_DEPRECATE_EOF)) this.connection.writeOk({ header: 0xfe, statusFlags: this.statusFlags });
    else this.connection.writePacket(encodeEofPacket({ warnings: 0, statusFlags: this.statusFlags }));
  }

  /** Back to a fresh session (COM_RESET_CONNECTION, COM_CHANGE_USER): statements closed, state, pins and outcomes dropped. */
  private async resetSession(): Promise<void> {
    this.statements.closeAll();
    await Promise.all([...this.leases.values()].map((lease) => lease.release(false)));
    if (this.identity) {
      this.state = this.freshState(this.identity, this.state.schema);
      this.admission.reset(this.clientCharset(this.identity));
    }
    this.outcomes.reset();
    this.lastConnection = undefined;
    waitTimeouts.set(this, undefined);
    this.statusFlags = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
  }

  /** The character set of the handshake's collation, by MariaDB's name. */
  private clientCharset(identity: ClientIdentity): string {
    return this.context.collations.get(identity.characterSet)?.charset ?? 'utf8mb4';
  }

  private freshState(identity: ClientIdentity, schema: string | undefined): SessionState {
    return {
      schema,
      charset: { kind: 'collation', id: identity.characterSet },
      variables: new Map(),
      multiStatements: hasCapability(identity.capabilityFlags, CapabilityFlags.CLIENT_MULTI_STATEMENTS),
      version: 0,
    };
  }

  private account() {
    return this.identity && (this.identity.account ?? this.context.users.find(this.identity.username));
  }

  assertSchemaAllowed(schema: string): void {
    const account = this.account();
    if (!account || !this.context.users.mayUseSchema(account, schema)) {
      throw SqlError.of('ER_DBACCESS_DENIED_ERROR', this.identity?.username ?? '', this.connection.remoteAddress, schema);
    }
  }

  // --- leases -----------------------------------------------------------------------------------

  leaseFor(node: DataNode): Lease {
    if (this.leasesOf !== this.identity) {
      // The old identity's leases were released by the reset that precedes a change of user.
      this.leases.clear();
      this.leasesOf = this.identity;
    }
    let lease = this.leases.get(node.id);
    if (!lease) {
      const flavor = (this.identity?.capabilityFlags ?? 0) & FLAVOR_CAPABILITIES;
      const mariaDbFlavor = (this.identity?.mariaDbCapabilities ?? 0) & MARIADB_FLAVOR_CAPABILITIES;
      lease = new Lease(node, this.context.pools.pool(node.backend.name, flavor, mariaDbFlavor, this.identity?.backendLogin), this);
      this.leases.set(node.id, lease);
    }
    return lease;
  }

  /** A lease's checkout as a promise, failing with the error to answer with. */
  private async checkoutOf(lease: Lease): Promise<BackendConnection> {
    try {
      return await lease.checkout();
    } catch (error) {
      throw this.checkoutFailed(error);
    }
  }

  private checkoutFailed(error: unknown): unknown {
    return error instanceof PinnedStateLostError ? this.endWith(error) : error;
  }

  /** Ends the session with an error packet: what it held on a backend is gone. */
  private endWith(error: PinnedStateLostError): unknown {
    if (!this.ended) {
      this.logger.warn({ err: error.message }, 'ending session: pinned backend connection lost');
      this.connection.closeWithError(SqlError.of('ER_SESSION_STATE_LOST', error.message), 'pinned backend connection lost');
    }
    return error;
  }
}
