import type { BackendConnection } from '@cathode/backend';
import type { CommandFinish } from '@cathode/frontend';
import {
  ResponseShape,
  ServerStatus,
  SqlError,
  boundParameterTypes,
  decodeComStmtPrepare,
  decodeStmtExecute,
  decodeStmtPrepareOk,
  decodeStmtSendLongData,
  decodeStatementCommand,
  encodeComStmtClose,
  encodeComStmtPrepare,
  encodeComStmtReset,
  encodeComInitDb,
  encodeStmtExecute,
  encodeStmtSendLongData,
  framePayload,
  readStatementId,
  stmtExecuteFlags,
} from '@cathode/wire';
import { appliedStateOf, markReset } from '../session/applied-state.ts';
import type { BackendStatement, ClientStatement } from './client-statement.ts';
import type { StatementSession } from './statement-session.ts';

/** Offset of the statement id in a framed command: 4-byte header, then the command byte. */
const FRAMED_STATEMENT_ID_OFFSET = 5;
const CURSOR_TYPE_READ_ONLY = 0x01;
/** Command byte + statement id. */
const STATEMENT_COMMAND_LENGTH = 5;
/** Command byte + statement id + parameter id. */
const LONG_DATA_HEADER_LENGTH = 7;
/** MariaDB's statement id for "the statement prepared last" (pipelined PREPARE + EXECUTE). */
const LAST_PREPARED_ID = 0xffffffff;

/**
 * The session's prepared statements: real server-side statements on the backend, under ids of
 * Cathode's own, prepared again on whichever connection ends up serving an execute.
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

  /** The statement is checked and classified as its text would be: a USE or SET prepared is still a USE or SET. */
  async prepare(payload: Buffer, framed: Buffer): Promise<void> {
    const sql = decodeComStmtPrepare(payload);
    const analysis = this.session.admit(payload.subarray(1));
    const lease = this.session.leaseForStatements(payload.subarray(1));
    const id = this.nextId++;
    let first = true;
    // The client must see Cathode's id: patch it into PREPARE_OK as it streams past.
    const patchId = (head: Buffer) => {
      if (first && head[0] === 0x00 && head.length >= 5) head.writeUInt32LE(id, 1);
      first = false;
    };
    const connection = await lease.checkout();
    const outcome = await this.session.relayed(lease, connection, framed, ResponseShape.PREPARE, patchId);
    if (outcome.prepareOk) {
      this.lastPreparedId = id;
      this.statements.set(id, {
        id,
        sql,
        analysis,
        lease,
        schema: this.session.state.schema,
        parameterCount: outcome.prepareOk.parameterCount,
        parameterTypes: undefined,
        longData: new Map(),
        longDataBytes: 0,
        backend: { connection, id: outcome.prepareOk.statementId, epoch: appliedStateOf(connection).epoch, typesSent: false, metadataForClient: undefined },
        cursorOpen: false,
      });
    }
    this.session.checkin(lease, connection, undefined);
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
    if (statement.cursorOpen) this.closeCursor(statement);
    const ready = statement.lease.checkout();
    const send = (connection: BackendConnection) => this.sendExecute(statement, connection, payload, framed, boundTypes !== undefined, finish);
    if (ready instanceof Promise || !this.isReadyOn(statement, ready)) this.readyForExecute(statement, ready).then(send, finish);
    else send(ready);
  }

  private isReadyOn(statement: ClientStatement, connection: BackendConnection): boolean {
    return statement.backend !== undefined && this.isValidOn(statement.backend, connection) && statement.longData.size === 0;
  }

  /** The connection for an execute, with the statement prepared on it and its long data sent. */
  private async readyForExecute(statement: ClientStatement, ready: BackendConnection | Promise<BackendConnection>): Promise<BackendConnection> {
    const connection = ready instanceof Promise ? await ready : ready;
    try {
      let backend = statement.backend;
      if (!backend || !this.isValidOn(backend, connection)) backend = await this.prepareOn(statement, connection);
      for (const [parameterId, pieces] of statement.longData) {
        for (const data of pieces) connection.send(encodeStmtSendLongData({ statementId: backend.id, parameterId, data }));
      }
    } catch (error) {
      throw this.session.failed(statement.lease, connection, error);
    }
    statement.longData.clear();
    statement.longDataBytes = 0;
    return connection;
  }

  private sendExecute(statement: ClientStatement, connection: BackendConnection, payload: Buffer, framed: Buffer, typesBound: boolean, finish: CommandFinish): void {
    const backend = statement.backend!;
    let command = framed;
    try {
      // A connection that never saw this statement's parameter types needs them resent.
      if (statement.parameterCount > 0 && !backend.typesSent && !typesBound) command = this.withTypes(payload, statement);
    } catch (error) {
      finish(this.session.failed(statement.lease, connection, error));
      return;
    }
    command.writeUInt32LE(backend.id, FRAMED_STATEMENT_ID_OFFSET);
    backend.typesSent = true;
    const cursorRequested = (stmtExecuteFlags(payload) & CURSOR_TYPE_READ_ONLY) !== 0;
    this.session.relayOn(
      statement.lease,
      connection,
      command,
      ResponseShape.BINARY_RESULT,
      backend.metadataForClient && this.metadataInserter(backend),
      (outcome) => {
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
    const backend = statement.backend;
    if (!statement.cursorOpen || !backend) throw SqlError.of('ER_WRONG_ARGUMENTS', 'mysqld_stmt_fetch');
    framed.writeUInt32LE(backend.id, FRAMED_STATEMENT_ID_OFFSET);
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
    const backend = statement.backend!;
    const connection = await statement.lease.checkout();
    this.setCursorOpen(statement, false);
    if (connection !== backend.connection) {
      this.session.checkin(statement.lease, connection, undefined);
      return;
    }
    try {
      const response = await connection.run(encodeComStmtReset(backend.id), ResponseShape.OK);
      this.session.checkin(statement.lease, connection, response.statusFlags);
    } catch (error) {
      throw this.session.failed(statement.lease, connection, error);
    }
  }

  /** A new execute closes the statement's open cursor first, as the server does. */
  private closeCursor(statement: ClientStatement): void {
    this.setCursorOpen(statement, false);
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
      if (statement.backend?.connection !== connection) continue;
      statement.backend = undefined;
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

  private isValidOn(backend: BackendStatement, connection: BackendConnection): boolean {
    return backend.connection === connection && backend.epoch === appliedStateOf(connection).epoch;
  }

  /**
   * Prepares `statement` on `connection`, closing its backend statement elsewhere. In the schema it
   * was first prepared in: MariaDB runs a prepared statement there, whatever the session's schema now.
   */
  private async prepareOn(statement: ClientStatement, connection: BackendConnection): Promise<BackendStatement> {
    this.closeBackendStatement(statement);
    const applied = appliedStateOf(connection);
    const current = applied.schema;
    const switchSchema = statement.schema !== undefined && statement.schema !== current && statement.lease.node.database === undefined;
    if (switchSchema) await runOk(connection, encodeComInitDb(statement.schema!));
    const response = await connection.run(encodeComStmtPrepare(statement.sql), ResponseShape.PREPARE);
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
    const backend: BackendStatement = {
      connection,
      id: prepareOk.statementId,
      epoch: appliedStateOf(connection).epoch,
      typesSent: false,
      metadataForClient: connection.cacheMetadata && prepareOk.columnCount > 0 ? columnDefinitions(response.packets, prepareOk, connection.deprecateEof) : undefined,
    };
    statement.backend = backend;
    return backend;
  }

  /**
   * For the first result after Cathode's own prepare: when the server skips the column definitions,
   * put them back (and say so in the column count), so the client's cache is current.
   */
  private metadataInserter(backend: BackendStatement): (head: Buffer) => Buffer[] | undefined {
    let first = true;
    return (head) => {
      if (!first) return undefined;
      first = false;
      const definitions = backend.metadataForClient;
      // Only a column count (length-encoded, then the metadata-follows byte) starts a result set.
      const countLength = head[0] < 0xfb ? 1 : head[0] === 0xfc ? 3 : head[0] === 0xfd ? 4 : 9;
      if (!definitions || head[0] === 0x00 || head[0] === 0xfb || head[0] === 0xff || head.length !== countLength + 1) return undefined;
      backend.metadataForClient = undefined;
      if (head[countLength] !== 0) return undefined;
      head[countLength] = 1;
      return definitions;
    };
  }

  /** The client's execute re-targeted with the parameter types the backend lacks. */
  private withTypes(payload: Buffer, statement: ClientStatement): Buffer {
    const execute = decodeStmtExecute(payload, statement.parameterCount);
    return framePayload(encodeStmtExecute({ ...execute, newParamsBound: true, parameterTypes: statement.parameterTypes }), 0).bytes;
  }

  /** Frees the backend statement now where its connection is idle, else before its next command. */
  private closeBackendStatement(statement: ClientStatement): void {
    const backend = statement.backend;
    statement.backend = undefined;
    this.setCursorOpen(statement, false);
    if (!backend || backend.connection.closed || backend.epoch !== appliedStateOf(backend.connection).epoch) return;
    if (backend.connection.busy) appliedStateOf(backend.connection).pendingCloses.push(backend.id);
    else backend.connection.send(encodeComStmtClose(backend.id));
  }

  private release(statement: ClientStatement): void {
    this.statements.delete(statement.id);
    this.closeBackendStatement(statement);
  }
}

async function runOk(connection: BackendConnection, command: Buffer): Promise<void> {
  const response = await connection.run(command, ResponseShape.OK);
  if (response.error) throw response.error;
}

/** The column definition packets of a collected PREPARE response. */
function columnDefinitions(packets: Buffer[], prepareOk: { parameterCount: number; columnCount: number }, deprecateEof: boolean): Buffer[] {
  const first = 1 + prepareOk.parameterCount + (prepareOk.parameterCount > 0 && !deprecateEof ? 1 : 0);
  return packets.slice(first, first + prepareOk.columnCount);
}
