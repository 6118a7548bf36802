import type { ClientStatement } from './client-statement.ts';
import type { SharedStatement } from './connection-statements.ts';

/** Offset of the statement id in a framed execute or bulk execute: 4-byte header, then the command byte. */
export const FRAMED_STATEMENT_ID_OFFSET = 5;

/**
 * The command to send for an execute or bulk execute of `statement` on `shared`: the client's
 * bytes, unless the server holds other parameter types for the shared statement (none yet, or
 * another session's) while the client sent none, in which case `withTypes` re-encodes it with the
 * client's. Keeps `shared.types` as what the server holds after the command. Throws when the
 * client's command cannot be re-encoded.
 */
export function commandWithClientTypes(
  statement: ClientStatement,
  shared: SharedStatement,
  payload: Buffer,
  framed: Buffer,
  typesBound: boolean,
  withTypes: (payload: Buffer, statement: ClientStatement) => Buffer,
): Buffer {
  if (statement.parameterCount === 0) return framed;
  if (typesBound) {
    shared.types = statement.parameterTypes;
    return framed;
  }
  if (shared.types === statement.parameterTypes || shared.types?.equals(statement.parameterTypes!)) return framed;
  const command = withTypes(payload, statement);
  shared.types = statement.parameterTypes;
  return command;
}
