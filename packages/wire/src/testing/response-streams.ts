// Test-only: realistic server responses, as logical payloads, for the scanner and relay tests.
import { ColumnType } from '../constants/column-type.ts';
import { ServerStatus } from '../constants/server-status.ts';
import type { StmtPrepareOk } from '../messages/com-stmt-prepare.ts';
import { ResponseShape } from '../response/response-shape.ts';
import { cat, columnPayload, eofPayload, errPayload, hex, lenenc, lenencStr, okPayload, prepareOkPayload, textRowPayload, u32, u64 } from './packet-builders.ts';

export interface ResponseScenario {
  name: string;
  shape: ResponseShape;
  deprecateEof: boolean;
  /** MARIADB_CLIENT_CACHE_METADATA negotiated: column counts carry a metadata-follows byte. */
  cacheMetadata?: boolean;
  /** Logical packet payloads, in order; the last one ends the response. */
  payloads: Buffer[];
  failed: boolean;
  statusFlags: number | undefined;
  prepareOk?: StmtPrepareOk;
}

const { SERVER_STATUS_IN_TRANS, SERVER_STATUS_AUTOCOMMIT, SERVER_MORE_RESULTS_EXISTS, SERVER_STATUS_CURSOR_EXISTS, SERVER_STATUS_LAST_ROW_SENT } = ServerStatus;
const IN_TRANS = SERVER_STATUS_IN_TRANS | SERVER_STATUS_AUTOCOMMIT;
const AUTOCOMMIT = SERVER_STATUS_AUTOCOMMIT;
const MORE = SERVER_MORE_RESULTS_EXISTS | SERVER_STATUS_AUTOCOMMIT;

/** A binary row of `values` LONG columns, none NULL. */
export function binaryRowPayload(...values: number[]): Buffer {
  const bitmap = Buffer.alloc(Math.floor((values.length + 9) / 8));
  return cat([0x00], bitmap, ...values.map((value) => u32(value)));
}

/**
 * A text row whose first value is longer than 16 MiB, so its payload starts with 0xfe and spans a
 * full 0xffffff-byte packet plus a continuation of `tail` bytes. The continuation starts with 0xfe,
 * so it looks like an EOF/OK terminator to anything that wrongly inspects it.
 */
export function hugeTextRowPayload(tail = 5): Buffer {
  const total = 0xffffff + tail;
  const valueLength = total - 9;
  const payload = Buffer.alloc(total, 0x68);
  cat([0xfe], u64(BigInt(valueLength))).copy(payload, 0);
  if (tail > 0) payload[0xffffff] = 0xfe;
  return payload;
}

export const scenarios: ResponseScenario[] = [
  {
    name: 'OK',
    shape: ResponseShape.RESULT,
    deprecateEof: false,
    payloads: [okPayload({ affectedRows: 1, lastInsertId: 0x10000, status: IN_TRANS })],
    failed: false,
    statusFlags: IN_TRANS,
  },
  {
    name: 'OK with info longer than the scanned head',
    shape: ResponseShape.RESULT,
    deprecateEof: true,
    payloads: [okPayload({ affectedRows: 3, status: AUTOCOMMIT, warnings: 1, info: 'Rows matched: 3  Changed: 3  Warnings: 1' })],
    failed: false,
    statusFlags: AUTOCOMMIT,
  },
  {
    name: 'ERR',
    shape: ResponseShape.RESULT,
    deprecateEof: false,
    payloads: [errPayload(1146, '42S02', "Table 'db.t' doesn't exist")],
    failed: true,
    statusFlags: undefined,
  },
  {
    name: 'text result set with EOF packets',
    shape: ResponseShape.RESULT,
    deprecateEof: false,
    payloads: [hex('02'), columnPayload('a'), columnPayload('b'), eofPayload(AUTOCOMMIT), textRowPayload('1', 'x'), textRowPayload('2', null), eofPayload(IN_TRANS)],
    failed: false,
    statusFlags: IN_TRANS,
  },
  {
    name: 'text result set with an OK (0xfe) terminator',
    shape: ResponseShape.RESULT,
    deprecateEof: true,
    payloads: [hex('02'), columnPayload('a'), columnPayload('b'), textRowPayload('1', 'x'), textRowPayload(null, ''), okPayload({ status: IN_TRANS }, 0xfe)],
    failed: false,
    statusFlags: IN_TRANS,
  },
  {
    name: 'empty text result set with EOF packets',
    shape: ResponseShape.RESULT,
    deprecateEof: false,
    payloads: [hex('01'), columnPayload('a'), eofPayload(AUTOCOMMIT), eofPayload(AUTOCOMMIT)],
    failed: false,
    statusFlags: AUTOCOMMIT,
  },
  {
    name: 'a 9+ byte row starting with 0xfe does not end the rows without deprecate-EOF',
    shape: ResponseShape.RESULT,
    deprecateEof: false,
    payloads: [hex('01'), columnPayload('a'), eofPayload(AUTOCOMMIT), cat([0xfe], u64(10n), Buffer.from('0123456789')), hex('fe 0a000000 00000000'), eofPayload(IN_TRANS)],
    failed: false,
    statusFlags: IN_TRANS,
  },
  {
    name: 'multi-result: two result sets (EOF packets)',
    shape: ResponseShape.RESULT,
    deprecateEof: false,
    payloads: [
      hex('01'), columnPayload('a'), eofPayload(AUTOCOMMIT), textRowPayload('1'), eofPayload(MORE),
      hex('01'), columnPayload('b'), eofPayload(AUTOCOMMIT), textRowPayload('2'), eofPayload(IN_TRANS),
    ],
    failed: false,
    statusFlags: IN_TRANS,
  },
  {
    name: 'multi-result: OK, result set, OK (deprecate-EOF)',
    shape: ResponseShape.RESULT,
    deprecateEof: true,
    payloads: [
      okPayload({ affectedRows: 1, status: MORE }),
      hex('01'), columnPayload('a'), textRowPayload('1'), okPayload({ status: MORE }, 0xfe),
      okPayload({ status: IN_TRANS }),
    ],
    failed: false,
    statusFlags: IN_TRANS,
  },
  {
    name: 'multi-result ending in ERR',
    shape: ResponseShape.RESULT,
    deprecateEof: false,
    payloads: [okPayload({ status: MORE }), errPayload(1064, '42000', 'You have an error in your SQL syntax')],
    failed: true,
    statusFlags: MORE,
  },
  {
    name: 'ERR in the middle of rows',
    shape: ResponseShape.RESULT,
    deprecateEof: false,
    payloads: [hex('01'), columnPayload('a'), eofPayload(AUTOCOMMIT), textRowPayload('1'), textRowPayload('2'), errPayload(1317, '70100', 'Query execution was interrupted')],
    failed: true,
    statusFlags: AUTOCOMMIT,
  },
  {
    name: 'result set with 300 columns',
    shape: ResponseShape.RESULT,
    deprecateEof: true,
    payloads: [lenenc(300), ...Array.from({ length: 300 }, (_, i) => columnPayload(`c${i}`)), textRowPayload(...Array.from({ length: 300 }, () => 'v')), okPayload({ status: AUTOCOMMIT }, 0xfe)],
    failed: false,
    statusFlags: AUTOCOMMIT,
  },
  {
    name: 'PREPARE with params and columns, EOF packets',
    shape: ResponseShape.PREPARE,
    deprecateEof: false,
    payloads: [prepareOkPayload(1, 2, 1, 0), columnPayload('?'), eofPayload(AUTOCOMMIT), columnPayload('a'), columnPayload('b'), eofPayload(IN_TRANS)],
    failed: false,
    statusFlags: IN_TRANS,
    prepareOk: { statementId: 1, columnCount: 2, parameterCount: 1, warnings: 0 },
  },
  {
    name: 'PREPARE with params and columns, deprecate-EOF',
    shape: ResponseShape.PREPARE,
    deprecateEof: true,
    payloads: [prepareOkPayload(0x01020304, 2, 2, 1), columnPayload('?'), columnPayload('?'), columnPayload('a'), columnPayload('b')],
    failed: false,
    statusFlags: undefined,
    prepareOk: { statementId: 0x01020304, columnCount: 2, parameterCount: 2, warnings: 1 },
  },
  {
    name: 'PREPARE with params only',
    shape: ResponseShape.PREPARE,
    deprecateEof: false,
    payloads: [prepareOkPayload(5, 0, 2), columnPayload('?'), columnPayload('?'), eofPayload(IN_TRANS)],
    failed: false,
    statusFlags: IN_TRANS,
    prepareOk: { statementId: 5, columnCount: 0, parameterCount: 2, warnings: 0 },
  },
  {
    name: 'PREPARE with columns only',
    shape: ResponseShape.PREPARE,
    deprecateEof: false,
    payloads: [prepareOkPayload(6, 1, 0), columnPayload('a'), eofPayload(AUTOCOMMIT)],
    failed: false,
    statusFlags: AUTOCOMMIT,
    prepareOk: { statementId: 6, columnCount: 1, parameterCount: 0, warnings: 0 },
  },
  {
    name: 'PREPARE with neither',
    shape: ResponseShape.PREPARE,
    deprecateEof: false,
    payloads: [prepareOkPayload(7, 0, 0)],
    failed: false,
    statusFlags: undefined,
    prepareOk: { statementId: 7, columnCount: 0, parameterCount: 0, warnings: 0 },
  },
  {
    name: 'PREPARE failing',
    shape: ResponseShape.PREPARE,
    deprecateEof: true,
    payloads: [errPayload(1064, '42000', 'syntax')],
    failed: true,
    statusFlags: undefined,
  },
  {
    name: 'EXECUTE opening a cursor ends after the column EOF',
    shape: ResponseShape.BINARY_RESULT,
    deprecateEof: false,
    payloads: [hex('01'), columnPayload('a', ColumnType.LONG), eofPayload(SERVER_STATUS_CURSOR_EXISTS | AUTOCOMMIT)],
    failed: false,
    statusFlags: SERVER_STATUS_CURSOR_EXISTS | AUTOCOMMIT,
  },
  {
    name: 'EXECUTE with binary rows',
    shape: ResponseShape.BINARY_RESULT,
    deprecateEof: false,
    payloads: [hex('02'), columnPayload('a', ColumnType.LONG), columnPayload('b', ColumnType.LONG), eofPayload(AUTOCOMMIT), binaryRowPayload(1, 2), binaryRowPayload(0xfe, 0xfe), eofPayload(IN_TRANS)],
    failed: false,
    statusFlags: IN_TRANS,
  },
  {
    name: 'EXECUTE with binary rows, deprecate-EOF',
    shape: ResponseShape.BINARY_RESULT,
    deprecateEof: true,
    payloads: [hex('01'), columnPayload('a', ColumnType.LONG), binaryRowPayload(1), okPayload({ status: IN_TRANS }, 0xfe)],
    failed: false,
    statusFlags: IN_TRANS,
  },
  // MARIADB_CLIENT_CACHE_METADATA, as MariaDB 10.11 sends it: the column count's second byte says
  // whether column definitions follow; without them, the intermediate EOF still does.
  {
    name: 'cached metadata: text result set (definitions always follow)',
    shape: ResponseShape.RESULT,
    deprecateEof: false,
    cacheMetadata: true,
    payloads: [hex('0101'), columnPayload('c'), eofPayload(AUTOCOMMIT), textRowPayload('a'), eofPayload(AUTOCOMMIT)],
    failed: false,
    statusFlags: AUTOCOMMIT,
  },
  {
    name: 'cached metadata: EXECUTE with definitions skipped, EOF packets',
    shape: ResponseShape.BINARY_RESULT,
    deprecateEof: false,
    cacheMetadata: true,
    payloads: [hex('0100'), eofPayload(AUTOCOMMIT), binaryRowPayload(7), eofPayload(IN_TRANS)],
    failed: false,
    statusFlags: IN_TRANS,
  },
  {
    name: 'cached metadata: EXECUTE with definitions skipped, deprecate-EOF',
    shape: ResponseShape.BINARY_RESULT,
    deprecateEof: true,
    cacheMetadata: true,
    payloads: [hex('0200'), binaryRowPayload(1, 2), binaryRowPayload(3, 4), okPayload({ status: AUTOCOMMIT }, 0xfe)],
    failed: false,
    statusFlags: AUTOCOMMIT,
  },
  {
    name: 'cached metadata: EXECUTE after the metadata changed (definitions follow)',
    shape: ResponseShape.BINARY_RESULT,
    deprecateEof: true,
    cacheMetadata: true,
    payloads: [hex('0101'), columnPayload('c'), binaryRowPayload(1), okPayload({ status: AUTOCOMMIT }, 0xfe)],
    failed: false,
    statusFlags: AUTOCOMMIT,
  },
  {
    name: 'cached metadata: EXECUTE opening a cursor without definitions',
    shape: ResponseShape.BINARY_RESULT,
    deprecateEof: false,
    cacheMetadata: true,
    payloads: [hex('0100'), eofPayload(SERVER_STATUS_CURSOR_EXISTS | AUTOCOMMIT)],
    failed: false,
    statusFlags: SERVER_STATUS_CURSOR_EXISTS | AUTOCOMMIT,
  },
  {
    name: 'EXECUTE returning OK',
    shape: ResponseShape.BINARY_RESULT,
    deprecateEof: true,
    payloads: [okPayload({ affectedRows: 1, lastInsertId: 42, status: IN_TRANS })],
    failed: false,
    statusFlags: IN_TRANS,
  },
  {
    name: 'FETCH rows until EOF',
    shape: ResponseShape.ROWS,
    deprecateEof: false,
    payloads: [binaryRowPayload(1), binaryRowPayload(2), eofPayload(SERVER_STATUS_CURSOR_EXISTS | SERVER_STATUS_LAST_ROW_SENT | AUTOCOMMIT)],
    failed: false,
    statusFlags: SERVER_STATUS_CURSOR_EXISTS | SERVER_STATUS_LAST_ROW_SENT | AUTOCOMMIT,
  },
  {
    name: 'FIELD_LIST until EOF',
    shape: ResponseShape.FIELD_LIST,
    deprecateEof: false,
    payloads: [cat(columnPayload('a'), lenencStr('0')), columnPayload('b'), eofPayload(AUTOCOMMIT)],
    failed: false,
    statusFlags: AUTOCOMMIT,
  },
  {
    name: 'FIELD_LIST until OK (deprecate-EOF)',
    shape: ResponseShape.FIELD_LIST,
    deprecateEof: true,
    payloads: [columnPayload('a'), columnPayload('b'), okPayload({ status: IN_TRANS }, 0xfe)],
    failed: false,
    statusFlags: IN_TRANS,
  },
  {
    name: 'FIELD_LIST failing',
    shape: ResponseShape.FIELD_LIST,
    deprecateEof: false,
    payloads: [errPayload(1146, '42S02', "Table 'db.x' doesn't exist")],
    failed: true,
    statusFlags: undefined,
  },
  {
    name: 'OK-shaped command answered with OK',
    shape: ResponseShape.OK,
    deprecateEof: true,
    payloads: [okPayload({ status: IN_TRANS })],
    failed: false,
    statusFlags: IN_TRANS,
  },
  {
    name: 'OK-shaped command answered with EOF (COM_SET_OPTION)',
    shape: ResponseShape.OK,
    deprecateEof: false,
    payloads: [eofPayload(IN_TRANS)],
    failed: false,
    statusFlags: IN_TRANS,
  },
  {
    name: 'OK-shaped command answered with ERR',
    shape: ResponseShape.OK,
    deprecateEof: false,
    payloads: [errPayload(1243, 'HY000', 'Unknown prepared statement handler')],
    failed: true,
    statusFlags: undefined,
  },
  {
    name: 'SINGLE (COM_STATISTICS)',
    shape: ResponseShape.SINGLE,
    deprecateEof: false,
    payloads: [Buffer.from('Uptime: 5  Threads: 1  Questions: 2  Slow queries: 0  Opens: 17')],
    failed: false,
    statusFlags: undefined,
  },
];

/**
 * A result set with a row of 16 MiB or more in the middle: `tail` bytes past 0xffffff (0 = exactly
 * one full packet followed by an empty one).
 */
export function hugeRowScenario(deprecateEof: boolean, tail = 5): ResponseScenario {
  const terminator = deprecateEof ? okPayload({ status: IN_TRANS }, 0xfe) : eofPayload(IN_TRANS);
  return {
    name: `row of 0xffffff + ${tail} bytes in the middle of a result (deprecateEof=${deprecateEof})`,
    shape: ResponseShape.RESULT,
    deprecateEof,
    payloads: [
      hex('01'),
      columnPayload('blob', ColumnType.LONG_BLOB),
      ...(deprecateEof ? [] : [eofPayload(AUTOCOMMIT)]),
      textRowPayload('first'),
      hugeTextRowPayload(tail),
      textRowPayload('last'),
      terminator,
    ],
    failed: false,
    statusFlags: IN_TRANS,
  };
}
