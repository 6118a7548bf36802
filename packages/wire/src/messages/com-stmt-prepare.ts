import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';
import { CommandByte } from '../constants/command-byte.ts';

/** COM_STMT_PREPARE: the statement text follows the command byte. */
export function encodeComStmtPrepare(sql: string): Buffer {
  return Buffer.concat([Buffer.of(CommandByte.COM_STMT_PREPARE), Buffer.from(sql, 'utf8')]);
}

export function decodeComStmtPrepare(payload: Buffer): string {
  return payload.toString('utf8', 1);
}

/** COM_STMT_PREPARE_OK, the first packet of a successful prepare response. */
export interface StmtPrepareOk {
  statementId: number;
  columnCount: number;
  parameterCount: number;
  warnings: number;
}

export const STMT_PREPARE_OK_LENGTH = 12;

export function encodeStmtPrepareOk(message: StmtPrepareOk): Buffer {
  return new PayloadWriter(STMT_PREPARE_OK_LENGTH)
    .u8(0x00)
    .u32(message.statementId)
    .u16(message.columnCount)
    .u16(message.parameterCount)
    .u8(0)
    .u16(message.warnings)
    .toBuffer();
}

export function decodeStmtPrepareOk(payload: Buffer): StmtPrepareOk {
  const reader = new PayloadReader(payload, 1);
  const statementId = reader.u32();
  const columnCount = reader.u16();
  const parameterCount = reader.u16();
  // Some servers end the packet before the reserved byte and warning count.
  let warnings = 0;
  if (reader.remaining >= 3) {
    reader.skip(1);
    warnings = reader.u16();
  }
  return { statementId, columnCount, parameterCount, warnings };
}
