import { CommandByte } from '../constants/command-byte.ts';

/** What a command's response looks like, which decides where it ends. */
export const ResponseShape = {
  /** COM_QUERY: OK, ERR, a LOCAL INFILE request, or result sets of text rows (several with multi-statements). */
  RESULT: 'result',
  /** RESULT for a statement that is not LOAD DATA LOCAL: a LOCAL INFILE request is a protocol violation. */
  RESULT_WITHOUT_LOCAL_INFILE: 'result-without-local-infile',
  /**
   * COM_STMT_EXECUTE: like RESULT but binary rows, and a cursor may leave rows unsent. Also
   * COM_STMT_BULK_EXECUTE: an OK with the summed counts, or result sets (RETURNING, unit results).
   */
  BINARY_RESULT: 'binary-result',
  /** COM_STMT_PREPARE: PREPARE_OK, then parameter and column definitions. */
  PREPARE: 'prepare',
  /** COM_FIELD_LIST: column definitions until EOF. */
  FIELD_LIST: 'field-list',
  /** COM_STMT_FETCH: rows until EOF. */
  ROWS: 'rows',
  /** One OK, EOF or ERR packet (COM_PING, COM_INIT_DB, COM_SET_OPTION, COM_STMT_RESET, ...). */
  OK: 'ok',
  /** Exactly one packet of any content (COM_STATISTICS). */
  SINGLE: 'single',
  /** No response at all (COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA, COM_QUIT). */
  NONE: 'none',
} as const;

export type ResponseShape = (typeof ResponseShape)[keyof typeof ResponseShape];

const shapeByCommand = new Map<number, ResponseShape>([
  [CommandByte.COM_QUERY, ResponseShape.RESULT],
  [CommandByte.COM_STMT_EXECUTE, ResponseShape.BINARY_RESULT],
  [CommandByte.COM_STMT_BULK_EXECUTE, ResponseShape.BINARY_RESULT],
  [CommandByte.COM_STMT_PREPARE, ResponseShape.PREPARE],
  [CommandByte.COM_FIELD_LIST, ResponseShape.FIELD_LIST],
  [CommandByte.COM_STMT_FETCH, ResponseShape.ROWS],
  [CommandByte.COM_STATISTICS, ResponseShape.SINGLE],
  [CommandByte.COM_STMT_CLOSE, ResponseShape.NONE],
  [CommandByte.COM_STMT_SEND_LONG_DATA, ResponseShape.NONE],
  [CommandByte.COM_QUIT, ResponseShape.NONE],
]);

/** The response shape of a command; anything not listed answers with one OK/ERR packet. */
export function responseShapeOf(commandByte: number): ResponseShape {
  return shapeByCommand.get(commandByte) ?? ResponseShape.OK;
}
