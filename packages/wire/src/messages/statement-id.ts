import { protocolViolation } from '../errors/cathode-error.ts';

/** Command byte + 4-byte statement id. */
const STATEMENT_ID_END = 5;

/**
 * COM_STMT_EXECUTE, _CLOSE, _RESET, _SEND_LONG_DATA and _FETCH all carry the statement id right
 * after the command byte; a proxy maps client ids to backend ids by rewriting these four bytes
 * (in place, in the framed command it forwards).
 */
export function readStatementId(payload: Buffer): number {
  if (payload.length < STATEMENT_ID_END) throw protocolViolation('truncated packet: no statement id');
  return payload.readUInt32LE(1);
}
