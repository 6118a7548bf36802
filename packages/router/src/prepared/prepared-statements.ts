import { createHash } from 'node:crypto';
import type { BackendConnection } from '@cathode/backend';
import type { CommandFinish } from '@cathode/frontend';
import {
  ResponseShape,
  ServerStatus,
  SqlError,
  boundParameterTypes,
  decodeStmtExecute,
  decodeStmtPrepareOk,
  decodeStmtSendLongData,
  decodeStatementCommand,
  CommandByte,
  encodeComStmtReset,
  encodeComInitDb,
  encodeStmtExecute,
  encodeStmtSendLongData,
  framePayload,
  readStatementId,
  stmtExecuteFlags,
} from '@cathode/wire';
import { appliedStateOf, markReset } from '../session/applied-state.ts';
import type { SessionState } from '../session/session-state.ts';
import { assertBulkExecuteAllowed, bindBulkTypes, relayBulkExecute } from './bulk-execute.ts';
import type { ClientStatement } from './client-statement.ts';
import { FRAMED_STATEMENT_ID_OFFSET, commandWithClientTypes } from './parameter-types.ts';
import { preparedText } from './prepared-text.ts';
import type { SharedStatement } from './connection-statements.ts';
import type { StatementSession } from './statement-session.ts';

const CURSOR_TYPE_READ_ONLY = 0x01;
/** Command byte + statement id. */
const STATEMENT_COMMAND_LENGTH = 5;
/** Command byte + statement id + parameter id. */
const LONG_DATA_HEADER_LENGTH = 7;
/** MariaDB's statement id for "the statement prepared last" (pipelined PREPARE + EXECUTE). */
const LAST_PREPARED_ID = 0xffffffff;

/**
 * The session's prepared statements: real server-side statements on the backend, under ids of
 * Cathode's own. Each execute runs on the shared statement of whichever connection serves it
 * (see ConnectionStatements), prepared there only when no session has prepared it before.
 */
export class PreparedStatements {
  private readonly session: StatementSession;
  private readonly statements = new Map<number, ClientStatement>();
  private nextId = 1;
  /** The id the last successful prepare got: what LAST_PREPARED_ID stands for. */
  private lastPreparedId = 0;

  constructor(session: StatementSession) {
    this.session = session;
  }

  /**
   * The statement is checked and classified as its text would be: a USE or SET prepared is still a
   * USE or SET. The client is answered with the shared statement's PREPARE response under its own id.
   */
  async prepare(payload: Buffer): Promise<void> {
    // Until this one succeeds there is no statement prepared last, as on MariaDB: a pipelined
    // execute must not run the one before.
    this.lastPreparedId = 0;
    const admitted = this.session.admit(payload.subarray(1));
    const analysis = admitted instanceof Promise ? await admitted : admitted;
    const sql = preparedText(payload, analysis, this.session.connectionId, this.session.state.schema);
    const lease = this.session.leaseForStatements(payload.subarray(1));
    const modes = statementModes(this.session.state);
    const statement: ClientStatement = {
      id: 0,
      sql,
      modes,
      key: `${this.session.state.schema ?? ''}\u0000${modes}\u0000${sql.toString('latin1')}`,
      analysis,
      lease,
      schema: this.session.state.schema,
      parameterCount: 0,
      parameterTypes: undefined,
      longData: new Map(),
      longDataBytes: 0,
      binding: undefined,
      clientDefinitions: '',
      cursorOpen: false,
    };
    const connection = await lease.checkout();
    let shared: SharedStatement;
    try {
      shared = await this.bind(statement, connection);
    } catch (error) {
      throw this.session.failed(lease, connection, error);
    }
    statement.id = this.nextId++;
    statement.parameterCount = decodeStmtPrepareOk(shared.response[0]).parameterCount;
    statement.clientDefinitions = shared.definitionsKey;
    this.statements.set(statement.id, statement);
    this.lastPreparedId = statement.id;
    this.session.checkin(lease, connection, undefined);
    const prepareOk = Buffer.from(shared.response[0]);
    prepareOk.writeUInt32LE(statement.id, 1);
    this.session.writePacket(prepareOk);
    for (let i = 1; i < shared.response.length; i++) this.session.writePacket(shared.response[i]);
  }

  /** The SQL of a client statement, by the id the client uses (for SHOW PROCESSLIST). */
  sqlOf(statementId: number): string | undefined {
    return this.statements.get(statementId === LAST_PREPARED_ID ? this.lastPreparedId : statementId)?.sql.toString('utf8');
  }

  /** The per-statement path: synchronous up to the relay when the statement is ready on a ready connection. */
  execute(payload: Buffer, framed: Buffer, finish: CommandFinish): void {
    const statement = this.find(payload, 'mysqld_stmt_execute');
    const boundTypes = boundParameterTypes(payload, statement.parameterCount);
    if (boundTypes && !statement.parameterTypes?.equals(boundTypes)) statement.parameterTypes = Buffer.from(boundTypes);
    if (statement.parameterCount > 0 && !statement.parameterTypes) throw SqlError.of('ER_WRONG_ARGUMENTS', 'mysqld_stmt_execute');
    if (statement.longDataBytes > this.session.maxAllowedPacket) {
      statement.longData.clear();
      statement.longDataBytes = 0;
      throw SqlError.of('ER_NET_PACKET_TOO_LARGE');
    }
    const typesBound = boundTypes !== undefined;
    this.whenBound(statement, finish, (connection) => this.sendExecute(statement, connection, payload, framed, typesBound, finish));
  }

  /** MariaDB's COM_STMT_BULK_EXECUTE: on the statement's lease like an execute (see bulk-execute.ts). */
  bulkExecute(payload: Buffer, framed: Buffer, mariaDbCapabilities: number, finish: CommandFinish): void {
    assertBulkExecuteAllowed(payload, mariaDbCapabilities);
    const statement = this.find(payload, 'mysqld_stmt_execute');
    const typesBound = bindBulkTypes(statement, payload);
    this.whenBound(statement, finish, (connection) => relayBulkExecute(this.session, statement, connection, payload, framed, typesBound, finish));
  }

  /**
   * Runs `run` on the connection of the statement's lease once the statement is bound there (its
   * long data sent) and the session's functions hold there. At once, with no other closure or
   * promise, when all of that is so already: the per-statement path.
   */
  private whenBound(statement: ClientStatement, finish: CommandFinish, run: (connection: BackendConnection) => void): void {
    // A new execute closes the statement's open cursor, as the server does.
    if (statement.cursorOpen) this.setCursorOpen(statement, false);
    const ready = statement.lease.checkout();
    if (!(ready instanceof Promise) && statement.longData.size === 0 && statement.analysis.sessionFunctions === 0 && this.bindFromCache(statement, ready)) {
      run(ready);
      return;
    }
    this.whenBoundLater(statement, ready, finish, run);
  }

  /** whenBound's other paths, in a function of their own: their closures cost the fast path nothing. */
  private whenBoundLater(statement: ClientStatement, ready: BackendConnection | Promise<BackendConnection>, finish: CommandFinish, run: (connection: BackendConnection) => void): void {
    const send = (connection: BackendConnection) => {
      if (statement.analysis.sessionFunctions === 0) run(connection);
      else this.session.whenSessionFunctionsReady(statement.lease, connection, statement.analysis, () => run(connection), finish);
    };
    if (ready instanceof Promise || statement.longData.size > 0 || !this.bindFromCache(statement, ready)) this.readyForExecute(statement, ready).then(send, finish);
    else send(ready);
  }

  /** The connection for an execute, with the statement bound there and its long data sent. */
  private async readyForExecute(statement: ClientStatement, ready: BackendConnection | Promise<BackendConnection>): Promise<BackendConnection> {
    const connection = ready instanceof Promise ? await ready : ready;
    try {
      const { id } = await this.bind(statement, connection);
      for (const [parameterId, pieces] of statement.longData) {
        for (const data of pieces) connection.send(encodeStmtSendLongData({ statementId: id, parameterId, data }));
      }
    } catch (error) {
      throw this.session.failed(statement.lease, connection, error);
    }
    statement.longData.clear();
    statement.longDataBytes = 0;
    return connection;
  }

  private sendExecute(statement: ClientStatement, connection: BackendConnection, payload: Buffer, framed: Buffer, typesBound: boolean, finish: CommandFinish): void {
    const { shared } = statement.binding!;
    let command: Buffer;
    try {
      command = commandWithClientTypes(statement, shared, payload, framed, typesBound, executeWithTypes);
    } catch (error) {
      finish(this.session.failed(statement.lease, connection, error));
      return;
    }
    command.writeUInt32LE(shared.id, FRAMED_STATEMENT_ID_OFFSET);
    const cursorRequested = (stmtExecuteFlags(payload) & CURSOR_TYPE_READ_ONLY) !== 0;
    const stale = connection.cacheMetadata && statement.clientDefinitions !== shared.definitionsKey;
    this.session.relayOn(
      statement.lease,
      connection,
      command,
      ResponseShape.BINARY_RESULT,
      stale ? metadataInserter(shared.definitions) : undefined,
      (outcome) => {
        // Definitions the server sent of its own accord changed (a schema change, or parameter
        // types that retype a column): the sessions sharing the statement must not be told to keep
        // theirs, so nobody takes it again. Also when Cathode meant to insert the old ones.
        if (outcome.metadataFollowed && connection.cacheMetadata) {
          appliedStateOf(connection).statements.invalidate(shared);
          statement.clientDefinitions = '';
        } else if (stale) statement.clientDefinitions = shared.definitionsKey;
        this.setCursorOpen(statement, cursorRequested && ((outcome.statusFlags ?? 0) & ServerStatus.SERVER_STATUS_CURSOR_EXISTS) !== 0);
        this.session.statementDone(statement.lease, connection, outcome, statement.analysis);
        finish();
      },
      finish,
    );
  }

  /** COM_STMT_FETCH reads from the cursor an execute left open on its connection. */
  async fetch(payload: Buffer, framed: Buffer): Promise<void> {
    const statement = this.find(payload, 'mysqld_stmt_fetch');
    const backend = statement.binding;
    if (!statement.cursorOpen || !backend) throw SqlError.of('ER_WRONG_ARGUMENTS', 'mysqld_stmt_fetch');
    framed.writeUInt32LE(backend.shared.id, FRAMED_STATEMENT_ID_OFFSET);
    const connection = await statement.lease.checkout();
    if (connection !== backend.connection) {
      this.session.checkin(statement.lease, connection, undefined);
      throw SqlError.of('ER_WRONG_ARGUMENTS', 'mysqld_stmt_fetch');
    }
    const outcome = await this.session.relayed(statement.lease, connection, framed, ResponseShape.ROWS);
    if (((outcome.statusFlags ?? 0) & ServerStatus.SERVER_STATUS_LAST_ROW_SENT) !== 0) this.setCursorOpen(statement, false);
    this.session.checkin(statement.lease, connection, outcome.statusFlags);
  }

  /** No response, ever: a malformed piece is dropped, as the server does, so replies stay in step. */
  appendLongData(payload: Buffer): void {
    if (payload.length < LONG_DATA_HEADER_LENGTH) return;
    const piece = decodeStmtSendLongData(payload);
    const statement = this.statements.get(this.resolveId(piece.statementId));
    if (!statement) return; // No response to this command; the execute will report the unknown statement.
    statement.longDataBytes += piece.data.length;
    // Beyond the limit nothing more is kept: the execute is refused (ER_NET_PACKET_TOO_LARGE).
    if (statement.longDataBytes > this.session.maxAllowedPacket) {
      statement.longData.clear();
      return;
    }
    const pieces = statement.longData.get(piece.parameterId) ?? [];
    pieces.push(Buffer.from(piece.data));
    statement.longData.set(piece.parameterId, pieces);
  }

  async reset(payload: Buffer): Promise<void> {
    const statement = this.find(payload, 'mysqld_stmt_reset');
    statement.longData.clear();
    statement.longDataBytes = 0;
    if (statement.cursorOpen) await this.resetCursor(statement);
    this.session.writeOk();
  }

  /** COM_STMT_RESET on the backend closes the statement's cursor (and with it the cursor's pin). */
  private async resetCursor(statement: ClientStatement): Promise<void> {
    const backend = statement.binding!;
    const connection = await statement.lease.checkout();
    this.setCursorOpen(statement, false);
    if (connection !== backend.connection) {
      this.session.checkin(statement.lease, connection, undefined);
      return;
    }
    try {
      const response = await connection.run(encodeComStmtReset(backend.shared.id), ResponseShape.OK);
      this.session.checkin(statement.lease, connection, response.statusFlags);
    } catch (error) {
      throw this.session.failed(statement.lease, connection, error);
    }
  }

  /** No response, ever: a malformed close is ignored, as the server does. */
  close(payload: Buffer): void {
    if (payload.length < STATEMENT_COMMAND_LENGTH) return;
    const statement = this.statements.get(this.resolveId(decodeStatementCommand(payload)));
    if (statement) this.release(statement);
  }

  closeAll(): void {
    for (const statement of this.statements.values()) this.release(statement);
  }

  /** A backend connection died: statements prepared on it must be prepared again elsewhere. */
  forgetConnection(connection: BackendConnection): void {
    for (const statement of this.statements.values()) {
      if (statement.binding?.connection !== connection) continue;
      statement.binding = undefined;
      this.setCursorOpen(statement, false);
    }
  }

  private find(payload: Buffer, command: string): ClientStatement {
    if (payload.length < 5) throw SqlError.of('ER_MALFORMED_PACKET');
    const id = readStatementId(payload);
    const statement = this.statements.get(this.resolveId(id));
    if (!statement) throw SqlError.of('ER_UNKNOWN_STMT_HANDLER', id, command);
    return statement;
  }

  private resolveId(id: number): number {
    return id === LAST_PREPARED_ID ? this.lastPreparedId : id;
  }

  /** An open cursor pins its lease's connection: the rows wait there for COM_STMT_FETCH. */
  private setCursorOpen(statement: ClientStatement, open: boolean): void {
    if (statement.cursorOpen !== open) statement.lease.openCursors += open ? 1 : -1;
    statement.cursorOpen = open;
  }

  /** Binds the statement to `connection`'s shared statement when one exists: the per-statement path, no promise. */
  private bindFromCache(statement: ClientStatement, connection: BackendConnection): boolean {
    const binding = statement.binding;
    if (binding && binding.connection === connection && binding.shared.valid) return true;
    const shared = appliedStateOf(connection).statements.take(statement.key);
    if (!shared) return false;
    this.unbind(statement);
    statement.binding = { connection, shared };
    return true;
  }

  /** The shared statement for `statement` on `connection`: found there, or prepared. */
  private async bind(statement: ClientStatement, connection: BackendConnection): Promise<SharedStatement> {
    if (this.bindFromCache(statement, connection)) return statement.binding!.shared;
    const shared = await this.prepareShared(statement, connection);
    this.unbind(statement);
    statement.binding = { connection, shared };
    return shared;
  }

  /**
   * Prepares `statement` on `connection` for every session to share. In the schema it was first
   * prepared in: MariaDB runs a prepared statement there, whatever the session's schema is now.
   */
  private async prepareShared(statement: ClientStatement, connection: BackendConnection): Promise<SharedStatement> {
    // The connection parses under the session's character set and sql_mode of now: a statement
    // prepared (and checked) under others must not be prepared again under these.
    if (statementModes(this.session.state) !== statement.modes) throw SqlError.of('ER_NEED_REPREPARE');
    const current = appliedStateOf(connection).schema;
    const switchSchema = statement.schema !== undefined && statement.schema !== current && statement.lease.node.database === undefined;
    if (switchSchema) await runOk(connection, encodeComInitDb(statement.schema!));
    const response = await connection.run(Buffer.concat([COM_STMT_PREPARE, statement.sql]), ResponseShape.PREPARE);
    if (switchSchema) {
      if (current === undefined) {
        await connection.changeUserWithoutSchema();
        markReset(connection);
      } else {
        await runOk(connection, encodeComInitDb(current));
      }
    }
    if (response.error) throw response.error;
    const prepareOk = decodeStmtPrepareOk(response.packets[0]);
    const definitions = columnDefinitions(response.packets, prepareOk, connection.deprecateEof);
    const shared: SharedStatement = {
      id: prepareOk.statementId,
      key: statement.key,
      refs: 0,
      types: undefined,
      response: response.packets,
      definitions,
      definitionsKey: definitionsKeyOf(definitions),
      valid: true,
    };
    // Prepared in another schema, it is not the statement a session of this one would share.
    if (!switchSchema) appliedStateOf(connection).statements.add(shared);
    else shared.refs = 1;
    return shared;
  }

  /** Lets go of the shared statement the client statement was bound to. */
  private unbind(statement: ClientStatement): void {
    const binding = statement.binding;
    statement.binding = undefined;
    this.setCursorOpen(statement, false);
    if (binding && !binding.connection.closed) appliedStateOf(binding.connection).statements.release(binding.shared);
  }

  private release(statement: ClientStatement): void {
    this.statements.delete(statement.id);
    this.unbind(statement);
  }
}

/**
 * For a result whose client holds other column definitions than the shared statement's: when the
 * server skips them (metadata caching), put them in (and say so in the column count).
 */
function metadataInserter(definitions: readonly Buffer[]): (head: Buffer) => Buffer[] | undefined {
  let first = true;
  return (head) => {
    if (!first) return undefined;
    first = false;
    // Only a column count (length-encoded, then the metadata-follows byte) starts a result set.
    const countLength = head[0] < 0xfb ? 1 : head[0] === 0xfc ? 3 : head[0] === 0xfd ? 4 : 9;
    if (definitions.length === 0 || head[0] === 0x00 || head[0] === 0xfb || head[0] === 0xff || head.length !== countLength + 1) return undefined;
    if (head[countLength] !== 0) return undefined;
    head[countLength] = 1;
    return [...definitions];
  };
}

/** The client's execute with the parameter types the backend statement lacks. */
function executeWithTypes(payload: Buffer, statement: ClientStatement): Buffer {
  const execute = decodeStmtExecute(payload, statement.parameterCount);
  return framePayload(encodeStmtExecute({ ...execute, newParamsBound: true, parameterTypes: statement.parameterTypes }), 0).bytes;
}

const COM_STMT_PREPARE = Buffer.of(CommandByte.COM_STMT_PREPARE);

/** What decides how the server parses a statement besides its schema: the character set and sql_mode. */
function statementModes(state: SessionState): string {
  const charset = state.charset.kind === 'collation' ? String(state.charset.id) : state.charset.sql;
  return `${charset}\u0000${state.variables.get('sql_mode') ?? ''}`;
}

/** A compact identity of column definitions (their bytes), compared on executes under metadata caching. */
function definitionsKeyOf(definitions: readonly Buffer[]): string {
  if (definitions.length === 0) return '';
  return createHash('sha1').update(Buffer.concat(definitions)).digest('base64');
}

async function runOk(connection: BackendConnection, command: Buffer): Promise<void> {
  const response = await connection.run(command, ResponseShape.OK);
  if (response.error) throw response.error;
}

/** The column definition packets of a collected PREPARE response. */
function columnDefinitions(packets: readonly Buffer[], prepareOk: { parameterCount: number; columnCount: number }, deprecateEof: boolean): Buffer[] {
  const first = 1 + prepareOk.parameterCount + (prepareOk.parameterCount > 0 && !deprecateEof ? 1 : 0);
  return packets.slice(first, first + prepareOk.columnCount);
}
