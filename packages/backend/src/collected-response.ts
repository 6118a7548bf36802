import { type SqlError, decodeErrPacket, decodeTextRow } from '@cathode/wire';

/** A response read whole by Cathode itself (its own statements, prepares, handshakes). */
export interface CollectedResponse {
  packets: Buffer[];
  /** Undefined when the response carried no status flags (see ResponseScanner). */
  statusFlags: number | undefined;
  error: SqlError | undefined;
}

export function errorOf(packets: Buffer[]): SqlError | undefined {
  const last = packets[packets.length - 1];
  return last && last[0] === 0xff ? decodeErrPacket(last) : undefined;
}

/** The text rows of a collected single result set, as strings (NULL as null). */
export function textRows(response: CollectedResponse, deprecateEof: boolean): Array<Array<string | null>> {
  const columnCount = response.packets[0]?.[0] ?? 0;
  const firstRow = 1 + columnCount + (deprecateEof ? 0 : 1);
  return response.packets.slice(firstRow, -1).map((packet) => decodeTextRow(packet, columnCount).map((value) => value?.toString('utf8') ?? null));
}
