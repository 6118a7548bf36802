import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';
import { CommandByte } from '../constants/command-byte.ts';

/** COM_PROCESS_KILL: kill the connection with this id. */
export function encodeComProcessKill(connectionId: number): Buffer {
  return new PayloadWriter(5).u8(CommandByte.COM_PROCESS_KILL).u32(connectionId).toBuffer();
}

export function decodeComProcessKill(payload: Buffer): number {
  return new PayloadReader(payload, 1).u32();
}
