import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { hex } from '../testing/packet-builders.ts';
import {
  CACHING_SHA2_PASSWORD,
  CachingSha2,
  cachingSha2Digest,
  cachingSha2Response,
  decryptPasswordWithPrivateKey,
  encryptPasswordWithPublicKey,
  verifyCachingSha2,
} from './caching-sha2-password.ts';

const sha256 = (...parts: Buffer[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + nonce), computed independently of the module. */
function expectedProof(password: string, nonce: Buffer): Buffer {
  const stage1 = sha256(Buffer.from(password));
  const mask = sha256(sha256(stage1), nonce);
  return Buffer.from(stage1.map((byte, i) => byte ^ mask[i]));
}

const nonce = hex('11 22 33 44 55 66 77 08 19 2a 3b 4c 5d 6e 7f 01 12 23 34 45');

describe('caching_sha2_password', () => {
  it('names the plugin and its AuthMoreData bytes', () => {
    assert.equal(CACHING_SHA2_PASSWORD, 'caching_sha2_password');
    assert.deepEqual(CachingSha2, { REQUEST_PUBLIC_KEY: 0x02, FAST_AUTH_SUCCESS: 0x03, PERFORM_FULL_AUTHENTICATION: 0x04 });
  });

  it('computes the fast-path proof', () => {
    const proof = cachingSha2Response('cathode', nonce);
    assert.equal(proof.length, 32);
    assert.deepEqual(proof, expectedProof('cathode', nonce));
  });

  it('sends nothing for an empty password', () => {
    assert.deepEqual(cachingSha2Response('', nonce), Buffer.alloc(0));
  });

  it('keeps SHA256(SHA256(pw)) as the cache digest', () => {
    assert.deepEqual(cachingSha2Digest('cathode'), sha256(sha256(Buffer.from('cathode'))));
  });

  it('verifies the right proof against the digest', () => {
    assert.equal(verifyCachingSha2(expectedProof('cathode', nonce), nonce, cachingSha2Digest('cathode')), true);
  });

  it('rejects a wrong password, another nonce and wrong-length proofs', () => {
    const digest = cachingSha2Digest('cathode');
    assert.equal(verifyCachingSha2(expectedProof('Cathode', nonce), nonce, digest), false);
    const other = Buffer.from(nonce);
    other[19] ^= 0x40;
    assert.equal(verifyCachingSha2(expectedProof('cathode', other), nonce, digest), false);
    assert.equal(verifyCachingSha2(expectedProof('cathode', nonce).subarray(0, 31), nonce, digest), false);
    assert.equal(verifyCachingSha2(Buffer.alloc(0), nonce, digest), false);
  });

  describe('RSA full authentication', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });

    it('round-trips the password through public-key encryption', () => {
      const encrypted = encryptPasswordWithPublicKey('s3cret-pässword', nonce, publicKey);
      assert.equal(encrypted.length, 256);
      assert.equal(decryptPasswordWithPrivateKey(encrypted, nonce, privateKey), 's3cret-pässword');
    });

    it('encrypts (password + NUL) XOR nonce with OAEP', async () => {
      const { privateDecrypt, constants } = await import('node:crypto');
      const encrypted = encryptPasswordWithPublicKey('pw', nonce, publicKey);
      const plain = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, encrypted);
      assert.deepEqual(plain, Buffer.from([0x70 ^ nonce[0], 0x77 ^ nonce[1], 0x00 ^ nonce[2]]));
    });

    it('round-trips a password longer than the nonce (nonce repeats)', () => {
      const password = 'x'.repeat(45);
      assert.equal(decryptPasswordWithPrivateKey(encryptPasswordWithPublicKey(password, nonce, publicKey), nonce, privateKey), password);
    });

    it('returns undefined for data that does not decrypt', () => {
      assert.equal(decryptPasswordWithPrivateKey(Buffer.alloc(256, 1), nonce, privateKey), undefined);
      assert.equal(decryptPasswordWithPrivateKey(Buffer.alloc(3), nonce, privateKey), undefined);
    });

    it('with the wrong nonce, recovers a different password', () => {
      const encrypted = encryptPasswordWithPublicKey('cathode', nonce, publicKey);
      assert.notEqual(decryptPasswordWithPrivateKey(encrypted, Buffer.alloc(20, 0x55), privateKey), 'cathode');
    });
  });
});
