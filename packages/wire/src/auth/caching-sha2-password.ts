import { constants, createHash, privateDecrypt, publicEncrypt, timingSafeEqual } from 'node:crypto';
import { xorRotating } from './scramble.ts';

export const CACHING_SHA2_PASSWORD = 'caching_sha2_password';

/** Bytes of the AuthMoreData exchange of caching_sha2_password. */
export const CachingSha2 = {
  /** Client asks for the server's RSA public key. */
  REQUEST_PUBLIC_KEY: 0x02,
  /** Server: the fast path succeeded, an OK follows. */
  FAST_AUTH_SUCCESS: 0x03,
  /** Server: send the password in full (cleartext over TLS, RSA-encrypted otherwise). */
  PERFORM_FULL_AUTHENTICATION: 0x04,
} as const;

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** The client's fast-path proof: SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + nonce). */
export function cachingSha2Response(password: string, nonce: Uint8Array): Buffer {
  if (password === '') return Buffer.alloc(0);
  const stage1 = sha256(Buffer.from(password, 'utf8'));
  return xorRotating(stage1, sha256(sha256(stage1), nonce));
}

/** SHA256(SHA256(password)): what the verified-password cache keeps. */
export function cachingSha2Digest(password: string): Buffer {
  return sha256(sha256(Buffer.from(password, 'utf8')));
}

/** Checks a fast-path proof against a cached digest. */
export function verifyCachingSha2(response: Uint8Array, nonce: Uint8Array, digest: Uint8Array): boolean {
  if (response.length !== 32) return false;
  const candidateStage1 = xorRotating(response, sha256(digest, nonce));
  return timingSafeEqual(sha256(candidateStage1), digest);
}

/** Client side of full auth without TLS: (password + NUL) XOR nonce, RSA-OAEP encrypted. */
export function encryptPasswordWithPublicKey(password: string, nonce: Uint8Array, publicKeyPem: string | Buffer): Buffer {
  const plain = xorRotating(Buffer.from(`${password}\0`, 'utf8'), nonce);
  return publicEncrypt({ key: publicKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING }, plain);
}

/** Server side: recovers the cleartext password, or undefined when the data does not decrypt. */
export function decryptPasswordWithPrivateKey(encrypted: Uint8Array, nonce: Uint8Array, privateKeyPem: string | Buffer): string | undefined {
  try {
    const plain = xorRotating(privateDecrypt({ key: privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING }, encrypted), nonce);
    const nul = plain.indexOf(0);
    return plain.subarray(0, nul === -1 ? plain.length : nul).toString('utf8');
  } catch {
    return undefined;
  }
}
