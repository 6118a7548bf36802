import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';
import { CommandByte } from '../constants/command-byte.ts';
import { protocolViolation } from '../errors/cathode-error.ts';
import { type BinaryValue, readBinaryValue, writeBinaryValue } from './binary-value.ts';

/** The 2-byte flags of COM_STMT_BULK_EXECUTE (MariaDB). */
export const BulkExecuteFlags = {
  /** Answer with a result set of affected rows and auto-increment ids per row (needs MARIADB_CLIENT_BULK_UNIT_RESULTS). */
  SEND_UNIT_RESULTS: 64,
  /** (type, flags) pairs follow the flags and replace those the server remembers. */
  SEND_TYPES_TO_SERVER: 128,
} as const;

/** The byte before each parameter of each row: whether a value follows, or what stands in for it. */
export const BulkIndicator = {
  NONE: 0,
  NULL: 1,
  /** The column's default (INSERT, UPDATE). */
  DEFAULT: 2,
  /** The default for an INSERT; an UPDATE leaves the column as it is. */
  IGNORE: 3,
} as const;

/** Parameter types are (type, flags) pairs; this flag marks an unsigned integer. */
const UNSIGNED_PARAMETER = 0x80;
/** Command byte, statement id, flags: where the parameter types (or the rows) start. */
const TYPES_OFFSET = 7;

/**
 * COM_STMT_BULK_EXECUTE: one prepared statement run once per row of parameters. The rows are kept
 * undecoded: a proxy only re-targets the command (statement id, types), it never reads values.
 */
export interface StmtBulkExecute {
  statementId: number;
  flags: number;
  /** Two bytes per parameter (type, flags), present with SEND_TYPES_TO_SERVER. */
  parameterTypes: Buffer | undefined;
  /** Each row: per parameter an indicator byte, then the binary value when the indicator is NONE. */
  rows: Buffer;
}

/** A value of a bulk row: a binary value (null sends the NULL indicator), or a column default. */
export type BulkValue = BinaryValue | { indicator: typeof BulkIndicator.DEFAULT | typeof BulkIndicator.IGNORE };

export function decodeStmtBulkExecute(payload: Buffer, parameterCount: number): StmtBulkExecute {
  const reader = new PayloadReader(payload);
  if (reader.u8() !== CommandByte.COM_STMT_BULK_EXECUTE) throw protocolViolation('not a COM_STMT_BULK_EXECUTE');
  const statementId = reader.u32();
  const flags = reader.u16();
  const parameterTypes = flags & BulkExecuteFlags.SEND_TYPES_TO_SERVER ? reader.bytes(parameterCount * 2) : undefined;
  return { statementId, flags, parameterTypes, rows: reader.restBytes() };
}

export function encodeStmtBulkExecute(message: StmtBulkExecute): Buffer {
  const sendsTypes = (message.flags & BulkExecuteFlags.SEND_TYPES_TO_SERVER) !== 0;
  if (sendsTypes !== (message.parameterTypes !== undefined)) throw new TypeError('SEND_TYPES_TO_SERVER and parameterTypes go together');
  const writer = new PayloadWriter(TYPES_OFFSET + (message.parameterTypes?.length ?? 0) + message.rows.length)
    .u8(CommandByte.COM_STMT_BULK_EXECUTE)
    .u32(message.statementId)
    .u16(message.flags);
  if (message.parameterTypes) writer.bytes(message.parameterTypes);
  return writer.bytes(message.rows).toBuffer();
}

/** The flags of a COM_STMT_BULK_EXECUTE, read without decoding the rest. */
export function stmtBulkExecuteFlags(payload: Buffer): number {
  if (payload.length < TYPES_OFFSET) throw protocolViolation('truncated COM_STMT_BULK_EXECUTE');
  return payload.readUInt16LE(5);
}

/** The parameter types a COM_STMT_BULK_EXECUTE sends (a view into `payload`), or undefined when it sends none. */
export function bulkParameterTypes(payload: Buffer, parameterCount: number): Buffer | undefined {
  if ((stmtBulkExecuteFlags(payload) & BulkExecuteFlags.SEND_TYPES_TO_SERVER) === 0) return undefined;
  const end = TYPES_OFFSET + parameterCount * 2;
  if (payload.length < end) throw protocolViolation('truncated COM_STMT_BULK_EXECUTE: parameter types');
  return payload.subarray(TYPES_OFFSET, end);
}

/** The rows block for typed values, one array per row (used by Cathode's own client and by tests). */
export function encodeBulkRows(parameterTypes: Buffer, rows: readonly (readonly BulkValue[])[]): Buffer {
  const count = parameterTypes.length / 2;
  const writer = new PayloadWriter(64);
  for (const row of rows) {
    if (row.length !== count) throw new TypeError(`a bulk row has ${row.length} values for ${count} parameters`);
    row.forEach((value, i) => {
      if (value === null) writer.u8(BulkIndicator.NULL);
      else if (isIndicator(value)) writer.u8(value.indicator);
      else writeBinaryValue(writer.u8(BulkIndicator.NONE), parameterTypes[i * 2], value);
    });
  }
  return writer.toBuffer();
}

/** Decodes the rows block, given the types in force (sent with it or remembered by the server). */
export function decodeBulkRows(rows: Buffer, parameterTypes: Buffer): BulkValue[][] {
  const count = parameterTypes.length / 2;
  const reader = new PayloadReader(rows);
  const decoded: BulkValue[][] = [];
  while (reader.remaining > 0) {
    const row: BulkValue[] = [];
    for (let i = 0; i < count; i++) {
      const indicator = reader.u8();
      if (indicator === BulkIndicator.NONE) row.push(readBinaryValue(reader, parameterTypes[i * 2], (parameterTypes[i * 2 + 1] & UNSIGNED_PARAMETER) !== 0));
      else if (indicator === BulkIndicator.NULL) row.push(null);
      else if (indicator === BulkIndicator.DEFAULT || indicator === BulkIndicator.IGNORE) row.push({ indicator });
      else throw protocolViolation(`invalid bulk parameter indicator ${indicator}`);
    }
    decoded.push(row);
  }
  return decoded;
}

function isIndicator(value: BulkValue): value is { indicator: typeof BulkIndicator.DEFAULT | typeof BulkIndicator.IGNORE } {
  return typeof value === 'object' && value !== null && !Buffer.isBuffer(value);
}
