import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from './load-config.ts';
import { REDACTED, redactConfig } from './redact-config.ts';
import { minimalInput } from './fixtures.ts';

const HASH = `*${'C'.repeat(40)}`;

function configWithSecrets() {
  const input = minimalInput();
  input.users.push({ name: 'hashed', passwordHash: HASH, schemas: ['demo'] });
  input.backends[0].password = 'backend-secret';
  return parseConfig(input, { env: {} });
}

test('redactConfig replaces every password and passwordHash', () => {
  const redacted = redactConfig(configWithSecrets());
  assert.equal(redacted.users[0].password, REDACTED);
  assert.equal(redacted.users[1].passwordHash, REDACTED);
  assert.equal(redacted.backends[0].password, REDACTED);
  const text = JSON.stringify(redacted);
  for (const secret of ['app-password', HASH, 'backend-secret']) assert.ok(!text.includes(secret), text);
});

test('redactConfig does not add secrets a user does not have', () => {
  const redacted = redactConfig(configWithSecrets());
  assert.equal('passwordHash' in redacted.users[0], false);
  assert.equal('password' in redacted.users[1], false);
});

test('redactConfig keeps everything else and leaves the original untouched', () => {
  const config = configWithSecrets();
  const before = structuredClone(config);
  const redacted = redactConfig(config);
  assert.deepEqual(config, before);
  assert.deepEqual(
    { ...redacted, users: [], backends: [] },
    { ...config, users: [], backends: [] },
  );
  assert.deepEqual(redacted.backends[0].pool, config.backends[0].pool);
  assert.deepEqual(redacted.users[1].schemas, ['demo']);
});

test('redactConfig returns a deep copy', () => {
  const config = configWithSecrets();
  const redacted = redactConfig(config);
  redacted.backends[0].pool.max = 1;
  redacted.users[0].schemas.push('other');
  assert.equal(config.backends[0].pool.max, 64);
  assert.deepEqual(config.users[0].schemas, ['*']);
});
