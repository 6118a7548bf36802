import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';
import { CommandByte } from '../constants/command-byte.ts';

/** COM_STMT_SEND_LONG_DATA: a piece of one parameter's value, sent before execute; no response. */
export interface StmtSendLongData {
  statementId: number;
  parameterId: number;
  data: Buffer;
}

export function encodeStmtSendLongData(message: StmtSendLongData): Buffer {
  return new PayloadWriter(7 + message.data.length)
    .u8(CommandByte.COM_STMT_SEND_LONG_DATA)
    .u32(message.statementId)
    .u16(message.parameterId)
    .bytes(message.data)
    .toBuffer();
}

export function decodeStmtSendLongData(payload: Buffer): StmtSendLongData {
  const reader = new PayloadReader(payload, 1);
  return { statementId: reader.u32(), parameterId: reader.u16(), data: reader.restBytes() };
}
