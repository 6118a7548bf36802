import { createHash, timingSafeEqual } from 'node:crypto';
import { xorRotating } from './scramble.ts';

export const MYSQL_NATIVE_PASSWORD = 'mysql_native_password';

const sha1 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** The client's proof: SHA1(pw) XOR SHA1(nonce + SHA1(SHA1(pw))). An empty password sends nothing. */
export function nativePasswordResponse(password: string, nonce: Uint8Array): Buffer {
  if (password === '') return Buffer.alloc(0);
  return nativeResponseFromStage1(sha1(Buffer.from(password, 'utf8')), nonce);
}

/** The same proof from SHA1(pw) alone: enough to log in to a server as someone whose password Cathode never saw. */
export function nativeResponseFromStage1(stage1: Uint8Array, nonce: Uint8Array): Buffer {
  return xorRotating(stage1, sha1(nonce, sha1(stage1)));
}

/** SHA1(SHA1(password)): what the server keeps, and the hex body of a `*...` hash. */
export function nativePasswordStage2(password: string): Buffer {
  return sha1(sha1(Buffer.from(password, 'utf8')));
}

/** Parses `*` + 40 hex digits (mysql.user's format) into the 20-byte stage-2 hash. */
export function parseNativePasswordHash(hash: string): Buffer {
  if (!/^\*[0-9a-fA-F]{40}$/.test(hash)) throw new TypeError('not a mysql_native_password hash');
  return Buffer.from(hash.slice(1), 'hex');
}

export function formatNativePasswordHash(stage2: Uint8Array): string {
  return `*${Buffer.from(stage2).toString('hex').toUpperCase()}`;
}

/**
 * Checks a client's proof against the stored stage-2 hash without knowing the password: recover
 * the candidate SHA1(pw) and check that hashing it gives stage 2. `stage2` undefined = empty password.
 */
export function verifyNativePassword(response: Uint8Array, nonce: Uint8Array, stage2: Uint8Array | undefined): boolean {
  if (stage2 === undefined) return response.length === 0;
  return recoverNativeStage1(response, nonce, stage2) !== undefined;
}

/**
 * SHA1(pw) recovered from a client's proof (response XOR SHA1(nonce + stage 2)), or undefined
 * when it does not hash to the stored stage 2 (a wrong password). It answers any other nonce
 * (nativeResponseFromStage1): a secret, never to be logged or kept beyond the session's login.
 */
export function recoverNativeStage1(response: Uint8Array, nonce: Uint8Array, stage2: Uint8Array): Buffer | undefined {
  if (response.length !== 20 || stage2.length !== 20) return undefined;
  const candidateStage1 = xorRotating(response, sha1(nonce, stage2));
  return timingSafeEqual(sha1(candidateStage1), stage2) ? candidateStage1 : undefined;
}
