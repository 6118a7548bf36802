import { CommandByte } from '../constants/command-byte.ts';

/** COM_QUERY: the statement text follows the command byte. */
export function encodeComQuery(sql: string | Buffer): Buffer {
  const text = typeof sql === 'string' ? Buffer.from(sql, 'utf8') : sql;
  return Buffer.concat([Buffer.of(CommandByte.COM_QUERY), text]);
}

export function decodeComQuery(payload: Buffer): string {
  return payload.toString('utf8', 1);
}
