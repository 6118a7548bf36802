import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';
import { CommandByte } from '../constants/command-byte.ts';

/** COM_SET_OPTION toggles multi-statement support for the rest of the session. */
export const SetOption = {
  MULTI_STATEMENTS_ON: 0,
  MULTI_STATEMENTS_OFF: 1,
} as const;

export function encodeComSetOption(option: number): Buffer {
  return new PayloadWriter(3).u8(CommandByte.COM_SET_OPTION).u16(option).toBuffer();
}

export function decodeComSetOption(payload: Buffer): number {
  return new PayloadReader(payload, 1).u16();
}
