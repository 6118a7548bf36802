import { CommandByte } from '../constants/command-byte.ts';

/** COM_INIT_DB: the schema name follows the command byte. */
export function encodeComInitDb(schema: string): Buffer {
  return Buffer.concat([Buffer.of(CommandByte.COM_INIT_DB), Buffer.from(schema, 'utf8')]);
}

export function decodeComInitDb(payload: Buffer): string {
  return payload.toString('utf8', 1);
}
