import { randomBytes } from 'node:crypto';

export const SCRAMBLE_LENGTH = 20;

/**
 * A fresh 20-byte nonce. Like MySQL's, bytes are 7-bit and never NUL or '$', because some clients
 * treat the scramble as a C string.
 */
export function generateScramble(): Buffer {
  const bytes = randomBytes(SCRAMBLE_LENGTH);
  for (let i = 0; i < bytes.length; i++) {
    let byte = bytes[i] & 0x7f;
    if (byte === 0 || byte === 0x24) byte += 1;
    bytes[i] = byte;
  }
  return bytes;
}

/** XOR `data` with `key`, repeating the key as needed. */
export function xorRotating(data: Uint8Array, key: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] ^ key[i % key.length];
  return out;
}
