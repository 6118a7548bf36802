import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig, parseConfig } from './load-config.ts';
import { issuesOf, makeTempDir, minimalInput, writeFile } from './fixtures.ts';

// backends[].serverPublicKey: the PEM Cathode encrypts a backend password with for
// caching_sha2_password full authentication, instead of a key the network hands it.

const dir = makeTempDir();
mkdirSync(join(dir, 'keys'));
const keyPath = writeFile(join(dir, 'keys'), 'backend.pem', '-----BEGIN PUBLIC KEY-----\n');

function withKey(serverPublicKey: unknown) {
  const input = minimalInput();
  input.backends[0].serverPublicKey = serverPublicKey;
  return input;
}

describe('backends[].serverPublicKey', () => {
  test('is absent unless given', () => {
    assert.equal('serverPublicKey' in parseConfig(minimalInput(), { env: {} }).backends[0], false);
  });

  test('a relative path is resolved against the config file, not the working directory', () => {
    const file = writeFile(dir, 'cathode.json', JSON.stringify(withKey('keys/backend.pem')));
    assert.equal(loadConfig(file, { env: {} }).backends[0].serverPublicKey, keyPath);
  });

  test('an unreadable file is reported at the backend that names it', () => {
    const input = minimalInput();
    input.backends.push({ name: 'second', user: 'root', serverPublicKey: 'keys/missing.pem' });
    const issues = issuesOf(input, { baseDir: dir });
    assert.deepEqual(issues.map((issue) => issue.path), ['backends.1.serverPublicKey']);
    assert.match(issues[0].message, /no such file/);
  });

  test('must be a non-empty string', () => {
    assert.deepEqual(issuesOf(withKey('')).map((issue) => issue.path), ['backends.0.serverPublicKey']);
    assert.deepEqual(issuesOf(withKey(42)).map((issue) => issue.path), ['backends.0.serverPublicKey']);
  });
});

describe('timeouts.poolWaitMs', () => {
  test('defaults to a minute, apart from connectMs', () => {
    const config = parseConfig({ ...minimalInput(), timeouts: { connectMs: 1000 } }, { env: {} });
    assert.equal(config.timeouts.poolWaitMs, 60_000);
    assert.equal(config.timeouts.connectMs, 1000);
  });
});
