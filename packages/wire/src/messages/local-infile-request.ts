/** The server's LOCAL INFILE request in answer to LOAD DATA LOCAL: 0xfb + file name. */
export const LOCAL_INFILE_HEADER = 0xfb;

export function encodeLocalInfileRequest(fileName: string): Buffer {
  return Buffer.concat([Buffer.of(LOCAL_INFILE_HEADER), Buffer.from(fileName, 'utf8')]);
}

export function decodeLocalInfileRequest(payload: Buffer): string {
  return payload.toString('utf8', 1);
}
