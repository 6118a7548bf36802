import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';
import { CommandByte } from '../constants/command-byte.ts';

/** COM_STMT_CLOSE (no response) and COM_STMT_RESET (OK/ERR): both carry only the statement id. */
export function encodeComStmtClose(statementId: number): Buffer {
  return new PayloadWriter(5).u8(CommandByte.COM_STMT_CLOSE).u32(statementId).toBuffer();
}

export function encodeComStmtReset(statementId: number): Buffer {
  return new PayloadWriter(5).u8(CommandByte.COM_STMT_RESET).u32(statementId).toBuffer();
}

export function decodeStatementCommand(payload: Buffer): number {
  return new PayloadReader(payload, 1).u32();
}
