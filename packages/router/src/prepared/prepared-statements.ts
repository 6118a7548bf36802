import type { BackendConnection } from '@cathode/backend';
import {
  ResponseShape,
  ServerStatus,
  SqlError,
  decodeComStmtPrepare,
  decodeStmtExecute,
  decodeStmtPrepareOk,
  decodeStmtSendLongData,
  decodeStatementCommand,
  encodeComStmtClose,
  encodeComStmtPrepare,
  encodeComStmtReset,
  encodeStmtExecute,
  encodeStmtSendLongData,
  framePayload,
  readStatementId,
} from '@cathode/wire';
import type { ProxySession } from '../proxy-session.ts';
import { appliedStateOf } from '../session/applied-state.ts';
import { type ClientStatement, backendStatementKey } from './client-statement.ts';

/** Offset of the statement id in a framed command: 4-byte header, then the command byte. */
const FRAMED_STATEMENT_ID_OFFSET = 5;
const CURSOR_TYPE_READ_ONLY = 0x01;
/** Command byte + statement id. */
const STATEMENT_COMMAND_LENGTH = 5;
/** Command byte + statement id + parameter id. */
const LONG_DATA_HEADER_LENGTH = 7;

/**
 * The session's prepared statements: real server-side statements on the backend, under ids of
 * Cathode's own, prepared again on whichever connection ends up serving an execute.
 */
export class PreparedStatements {
  private readonly session: ProxySession;
  private readonly statements = new Map<number, ClientStatement>();
  private nextId = 1;

  constructor(session: ProxySession) {
    this.session = session;
  }

  get hasOpenCursor(): boolean {
    for (const statement of this.statements.values()) if (statement.cursor) return true;
    return false;
  }

  async prepare(payload: Buffer): Promise<void> {
    const sql = decodeComStmtPrepare(payload);
    const id = this.nextId++;
    let first = true;
    // The client must see Cathode's id: patch it into PREPARE_OK as it streams past.
    const patchId = (head: Buffer) => {
      if (first && head[0] === 0x00 && head.length >= 5) head.writeUInt32LE(id, 1);
      first = false;
    };
    const { connection, outcome } = await this.session.relayOn(await this.session.checkout(), framePayload(payload, 0).bytes, ResponseShape.PREPARE, patchId);
    if (outcome.prepareOk) {
      const statement: ClientStatement = {
        id,
        sql,
        parameterCount: outcome.prepareOk.parameterCount,
        parameterTypes: undefined,
        longData: new Map(),
        backends: new Map([[connection, outcome.prepareOk.statementId]]),
        cursor: undefined,
      };
      this.statements.set(id, statement);
      appliedStateOf(connection).statements.set(this.key(statement), { id: outcome.prepareOk.statementId, typesSent: false });
    }
    this.session.checkin(connection, undefined);
  }

  async execute(payload: Buffer): Promise<void> {
    const statement = this.find(payload, 'mysqld_stmt_execute');
    const execute = decodeStmtExecute(payload, statement.parameterCount);
    if (execute.newParamsBound && execute.parameterTypes) statement.parameterTypes = Buffer.from(execute.parameterTypes);
    if (statement.parameterCount > 0 && !statement.parameterTypes) throw SqlError.of('ER_WRONG_ARGUMENTS', 'mysqld_stmt_execute');
    const connection = statement.cursor ?? (await this.session.checkout());
    let backend: { id: number; typesSent: boolean };
    try {
      backend = await this.onConnection(statement, connection);
      for (const [parameterId, pieces] of statement.longData) {
        for (const data of pieces) connection.send(encodeStmtSendLongData({ statementId: backend.id, parameterId, data }));
      }
    } catch (error) {
      this.session.checkinAfterError(connection);
      throw error;
    }
    statement.longData.clear();
    // A connection that never saw this statement's parameter types needs them resent.
    const resendTypes = statement.parameterCount > 0 && !backend.typesSent && !execute.newParamsBound;
    const framed = resendTypes
      ? framePayload(encodeStmtExecute({ ...execute, statementId: backend.id, newParamsBound: true, parameterTypes: statement.parameterTypes }), 0).bytes
      : framePayload(payload, 0).bytes;
    framed.writeUInt32LE(backend.id, FRAMED_STATEMENT_ID_OFFSET);
    backend.typesSent = true;
    const { outcome } = await this.session.relayOn(connection, framed, ResponseShape.BINARY_RESULT);
    const cursorOpened = (execute.flags & CURSOR_TYPE_READ_ONLY) !== 0 && ((outcome.statusFlags ?? 0) & ServerStatus.SERVER_STATUS_CURSOR_EXISTS) !== 0;
    statement.cursor = cursorOpened ? connection : undefined;
    this.session.checkin(connection, outcome.statusFlags);
  }

  /** COM_STMT_FETCH reads from the cursor an execute left open on its connection. */
  async fetch(payload: Buffer): Promise<void> {
    const statement = this.find(payload, 'mysqld_stmt_fetch');
    const connection = statement.cursor;
    const backendId = connection && statement.backends.get(connection);
    if (!connection || backendId === undefined) throw SqlError.of('ER_WRONG_ARGUMENTS', 'mysqld_stmt_fetch');
    const framed = framePayload(payload, 0).bytes;
    framed.writeUInt32LE(backendId, FRAMED_STATEMENT_ID_OFFSET);
    const { outcome } = await this.session.relayOn(connection, framed, ResponseShape.ROWS);
    this.session.checkin(connection, outcome.statusFlags);
  }

  /** No response, ever: a malformed piece is dropped, as the server does, so replies stay in step. */
  appendLongData(payload: Buffer): void {
    if (payload.length < LONG_DATA_HEADER_LENGTH) return;
    const piece = decodeStmtSendLongData(payload);
    const statement = this.statements.get(piece.statementId);
    if (!statement) return; // No response to this command; the execute will report the unknown statement.
    const pieces = statement.longData.get(piece.parameterId) ?? [];
    pieces.push(Buffer.from(piece.data));
    statement.longData.set(piece.parameterId, pieces);
  }

  async reset(payload: Buffer): Promise<void> {
    const statement = this.find(payload, 'mysqld_stmt_reset');
    statement.longData.clear();
    const cursor = statement.cursor;
    statement.cursor = undefined;
    const backendId = cursor && statement.backends.get(cursor);
    if (cursor && backendId !== undefined) {
      const response = await cursor.run(encodeComStmtReset(backendId), ResponseShape.OK);
      this.session.checkin(cursor, response.statusFlags);
    }
    this.session.connection.writeOk({ statusFlags: this.session.statusFlags });
  }

  /** No response, ever: a malformed close is ignored, as the server does. */
  close(payload: Buffer): void {
    if (payload.length < STATEMENT_COMMAND_LENGTH) return;
    const statement = this.statements.get(decodeStatementCommand(payload));
    if (statement) this.release(statement);
  }

  closeAll(): void {
    for (const statement of this.statements.values()) this.release(statement);
  }

  /** A backend connection died: statements prepared on it must be prepared again elsewhere. */
  forgetConnection(connection: BackendConnection): void {
    for (const statement of this.statements.values()) {
      statement.backends.delete(connection);
      if (statement.cursor === connection) statement.cursor = undefined;
    }
  }

  private find(payload: Buffer, command: string): ClientStatement {
    if (payload.length < 5) throw SqlError.of('ER_MALFORMED_PACKET');
    const id = readStatementId(payload);
    const statement = this.statements.get(id);
    if (!statement) throw SqlError.of('ER_UNKNOWN_STMT_HANDLER', id, command);
    return statement;
  }

  private key(statement: ClientStatement): string {
    return backendStatementKey(this.session.connectionId, statement.id);
  }

  /** The backend statement for `statement` on `connection`, preparing it there first if needed. */
  private async onConnection(statement: ClientStatement, connection: BackendConnection): Promise<{ id: number; typesSent: boolean }> {
    const applied = appliedStateOf(connection);
    const key = this.key(statement);
    const known = applied.statements.get(key);
    if (known && statement.backends.get(connection) === known.id) return known;
    const response = await connection.run(encodeComStmtPrepare(statement.sql), ResponseShape.PREPARE);
    if (response.error) throw response.error;
    const backend = { id: decodeStmtPrepareOk(response.packets[0]).statementId, typesSent: false };
    applied.statements.set(key, backend);
    statement.backends.set(connection, backend.id);
    return backend;
  }

  /** Frees the backend statements now where the connection is idle, else before its next command. */
  private release(statement: ClientStatement): void {
    this.statements.delete(statement.id);
    const key = this.key(statement);
    for (const [connection, backendId] of statement.backends) {
      if (connection.closed) continue;
      const applied = appliedStateOf(connection);
      applied.statements.delete(key);
      if (connection.busy) applied.pendingCloses.push(backendId);
      else connection.send(encodeComStmtClose(backendId));
    }
    statement.backends.clear();
  }
}
