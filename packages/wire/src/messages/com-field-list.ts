import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';
import { CommandByte } from '../constants/command-byte.ts';

/** COM_FIELD_LIST: table name (NUL-terminated) and an optional column wildcard. */
export interface ComFieldList {
  table: string;
  wildcard: string;
}

export function encodeComFieldList(message: ComFieldList): Buffer {
  return new PayloadWriter(32).u8(CommandByte.COM_FIELD_LIST).nullTerminatedString(message.table).string(message.wildcard).toBuffer();
}

export function decodeComFieldList(payload: Buffer): ComFieldList {
  const reader = new PayloadReader(payload, 1);
  return { table: reader.nullTerminatedString(), wildcard: reader.restString() };
}
