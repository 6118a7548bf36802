/** Protocol::AuthMoreData: plugin-specific data during authentication (0x01 + data). */
export const AUTH_MORE_DATA_HEADER = 0x01;

export function encodeAuthMoreData(data: Uint8Array): Buffer {
  const payload = Buffer.allocUnsafe(1 + data.length);
  payload[0] = AUTH_MORE_DATA_HEADER;
  payload.set(data, 1);
  return payload;
}

export function decodeAuthMoreData(payload: Buffer): Buffer {
  return payload.subarray(1);
}
