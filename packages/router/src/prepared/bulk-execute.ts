import type { BackendConnection } from '@cathode/backend';
import type { CommandFinish } from '@cathode/frontend';
import {
  BulkExecuteFlags,
  MariaDbCapabilityFlags,
  ResponseShape,
  SqlError,
  bulkParameterTypes,
  decodeStmtBulkExecute,
  encodeStmtBulkExecute,
  framePayload,
  hasCapability,
  stmtBulkExecuteFlags,
} from '@cathode/wire';
import { appliedStateOf } from '../session/applied-state.ts';
import type { ClientStatement } from './client-statement.ts';
import { FRAMED_STATEMENT_ID_OFFSET, commandWithClientTypes } from './parameter-types.ts';
import type { StatementSession } from './statement-session.ts';

// MariaDB's COM_STMT_BULK_EXECUTE (the MariaDB connector's batch()): one prepared statement run
// once per row of parameters. It goes to the statement's lease like an execute and is relayed
// undecoded; only its statement id, and the parameter types when needed, are rewritten.


/**
 * Refuses what MariaDB refuses before it looks for the statement (1295): a client that did not
 * negotiate bulk operations, and flags other than SEND_TYPES_TO_SERVER. Cathode does not offer
 * MARIADB_CLIENT_BULK_UNIT_RESULTS, so SEND_UNIT_RESULTS is refused as MariaDB 10.11 refuses it.
 */
export function assertBulkExecuteAllowed(payload: Buffer, mariaDbCapabilities: number): void {
  if (!hasCapability(mariaDbCapabilities, MariaDbCapabilityFlags.MARIADB_CLIENT_STMT_BULK_OPERATIONS)) throw SqlError.of('ER_UNSUPPORTED_PS');
  if (payload.length < 7) throw SqlError.of('ER_MALFORMED_PACKET');
  if ((stmtBulkExecuteFlags(payload) & ~BulkExecuteFlags.SEND_TYPES_TO_SERVER) !== 0) throw SqlError.of('ER_UNSUPPORTED_PS');
}

/**
 * Takes note of the parameter types a bulk execute sends: MariaDB keeps them for the executes and
 * bulk executes that follow without types, as it keeps an execute's. Returns whether it sends any.
 */
export function bindBulkTypes(statement: ClientStatement, payload: Buffer): boolean {
  const types = statement.parameterCount > 0 ? bulkParameterTypes(payload, statement.parameterCount) : undefined;
  if (types && !statement.parameterTypes?.equals(types)) statement.parameterTypes = Buffer.from(types);
  // As MariaDB answers a bulk execute without types on a statement that never had any.
  if (statement.parameterCount > 0 && !statement.parameterTypes) throw SqlError.of('ER_WRONG_ARGUMENTS', 'mysqld_stmt_bulk_execute');
  return types !== undefined;
}

/**
 * Sends the bulk execute to the shared statement `statement` is bound to on `connection` (ready:
 * prepared there, long data sent) and relays the answer: an OK with the summed counts, or the
 * result set of an INSERT … RETURNING.
 */
export function relayBulkExecute(
  session: StatementSession,
  statement: ClientStatement,
  connection: BackendConnection,
  payload: Buffer,
  framed: Buffer,
  typesBound: boolean,
  finish: CommandFinish,
): void {
  const { shared } = statement.binding!;
  let command: Buffer;
  try {
    command = commandWithClientTypes(statement, shared, payload, framed, typesBound, withTypes);
  } catch (error) {
    finish(session.failed(statement.lease, connection, error));
    return;
  }
  command.writeUInt32LE(shared.id, FRAMED_STATEMENT_ID_OFFSET);
  session.relayOn(
    statement.lease,
    connection,
    command,
    ResponseShape.BINARY_RESULT,
    undefined,
    (outcome) => {
      // A RETURNING result's definitions, sent once under metadata caching: the server now counts
      // them as the client's, so no other session may take this statement (as after an execute).
      if (outcome.metadataFollowed && connection.cacheMetadata) {
        appliedStateOf(connection).statements.invalidate(shared);
        statement.clientDefinitions = '';
      }
      session.statementDone(statement.lease, connection, outcome, statement.analysis);
      finish();
    },
    finish,
  );
}

/** The client's bulk execute with the parameter types the backend statement lacks. */
function withTypes(payload: Buffer, statement: ClientStatement): Buffer {
  const bulk = decodeStmtBulkExecute(payload, statement.parameterCount);
  const flags = bulk.flags | BulkExecuteFlags.SEND_TYPES_TO_SERVER;
  return framePayload(encodeStmtBulkExecute({ ...bulk, flags, parameterTypes: statement.parameterTypes }), 0).bytes;
}
