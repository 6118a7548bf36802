import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { hex } from '../testing/packet-builders.ts';
import {
  MYSQL_NATIVE_PASSWORD,
  formatNativePasswordHash,
  nativePasswordResponse,
  nativePasswordStage2,
  nativeResponseFromStage1,
  parseNativePasswordHash,
  recoverNativeStage1,
  verifyNativePassword,
} from './mysql-native-password.ts';

const sha1 = (...parts: Buffer[]): Buffer => {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))), computed independently of the module. */
function expectedProof(password: string, scramble: Buffer): Buffer {
  const stage1 = sha1(Buffer.from(password));
  const mask = sha1(scramble, sha1(stage1));
  return Buffer.from(stage1.map((byte, i) => byte ^ mask[i]));
}

const scramble = hex('3a 51 2f 6e 7b 22 47 1c 30 56 6c 41 7e 2b 55 0b 43 2d 68 7a');

describe('mysql_native_password', () => {
  it('names the plugin', () => {
    assert.equal(MYSQL_NATIVE_PASSWORD, 'mysql_native_password');
  });

  it('computes the client proof SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw)))', () => {
    const proof = nativePasswordResponse('cathode', scramble);
    assert.equal(proof.length, 20);
    assert.deepEqual(proof, expectedProof('cathode', scramble));
    assert.deepEqual(nativePasswordResponse('pässwörd', scramble), expectedProof('pässwörd', scramble));
  });

  it('sends nothing for an empty password', () => {
    assert.deepEqual(nativePasswordResponse('', scramble), Buffer.alloc(0));
  });

  it('computes stage 2 as SHA1(SHA1(pw)) and formats PASSWORD() style hashes', () => {
    const stage2 = nativePasswordStage2('cathode');
    assert.deepEqual(stage2, sha1(sha1(Buffer.from('cathode'))));
    assert.equal(formatNativePasswordHash(stage2), `*${sha1(sha1(Buffer.from('cathode'))).toString('hex').toUpperCase()}`);
    // PASSWORD('password') as MySQL prints it.
    assert.equal(formatNativePasswordHash(nativePasswordStage2('password')), '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19');
  });

  it('parses a hash in either case', () => {
    assert.deepEqual(parseNativePasswordHash('*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19'), nativePasswordStage2('password'));
    assert.deepEqual(parseNativePasswordHash('*2470c0c06dee42fd1618bb99005adca2ec9d1e19'), nativePasswordStage2('password'));
  });

  it('rejects malformed hashes', () => {
    for (const bad of ['', '2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19', '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E1', '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19A', '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1EZZ']) {
      assert.throws(() => parseNativePasswordHash(bad), TypeError, bad);
    }
  });

  it('verifies the right password against the stored stage 2', () => {
    const stage2 = parseNativePasswordHash(formatNativePasswordHash(nativePasswordStage2('cathode')));
    assert.equal(verifyNativePassword(expectedProof('cathode', scramble), scramble, stage2), true);
  });

  it('rejects a wrong password, a proof for another scramble, and wrong-length responses', () => {
    const stage2 = nativePasswordStage2('cathode');
    assert.equal(verifyNativePassword(expectedProof('cathodE', scramble), scramble, stage2), false);
    const other = Buffer.from(scramble);
    other[0] ^= 1;
    assert.equal(verifyNativePassword(expectedProof('cathode', other), scramble, stage2), false);
    assert.equal(verifyNativePassword(expectedProof('cathode', scramble).subarray(0, 19), scramble, stage2), false);
    assert.equal(verifyNativePassword(Buffer.concat([expectedProof('cathode', scramble), hex('00')]), scramble, stage2), false);
    assert.equal(verifyNativePassword(Buffer.alloc(0), scramble, stage2), false);
  });

  it('treats an undefined stage 2 as the empty password', () => {
    assert.equal(verifyNativePassword(Buffer.alloc(0), scramble, undefined), true);
    assert.equal(verifyNativePassword(expectedProof('x', scramble), scramble, undefined), false);
  });

  it('recovers SHA1(pw) from a proof and answers another nonce with it, as the password would', () => {
    const stage2 = nativePasswordStage2('s3cret');
    const stage1 = recoverNativeStage1(expectedProof('s3cret', scramble), scramble, stage2);
    assert.deepEqual(stage1, sha1(Buffer.from('s3cret')));
    const backendNonce = hex('11 22 33 44 55 66 77 08 09 0a 0b 0c 0d 0e 0f 10 21 32 43 54');
    assert.deepEqual(nativeResponseFromStage1(stage1!, backendNonce), expectedProof('s3cret', backendNonce));
    assert.deepEqual(nativeResponseFromStage1(stage1!, backendNonce), nativePasswordResponse('s3cret', backendNonce));
  });

  it('recovers nothing from a wrong password or a malformed proof', () => {
    const stage2 = nativePasswordStage2('s3cret');
    assert.equal(recoverNativeStage1(expectedProof('s3creT', scramble), scramble, stage2), undefined);
    assert.equal(recoverNativeStage1(expectedProof('s3cret', scramble).subarray(1), scramble, stage2), undefined);
    assert.equal(recoverNativeStage1(expectedProof('s3cret', scramble), scramble, stage2.subarray(1)), undefined);
  });
});
