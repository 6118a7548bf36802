import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { loadConfig, parseConfig } from './load-config.ts';
import { configSchema } from './schema.ts';

const EXAMPLE = fileURLToPath(new URL('../examples/cathode.example.yaml', import.meta.url));

test('the example config loads', () => {
  const config = loadConfig(EXAMPLE, { env: {} });
  assert.deepEqual(config.users, [
    { name: 'cathode', password: 'cathode', plugin: 'mysql_native_password', schemas: ['demo'], admin: false },
  ]);
  assert.deepEqual(config.backends, [
    { name: 'primary', host: '127.0.0.1', port: 3307, user: 'root', password: '', pool: { min: 1, max: 64 } },
  ]);
  assert.deepEqual(config.schemas, [{ name: 'demo', backend: 'primary' }]);
  assert.equal(config.tls, undefined);
  assert.equal(config.rsaKeys, undefined);
});

test('apart from users, backends and schemas, the example shows the defaults', () => {
  const config = loadConfig(EXAMPLE, { env: {} });
  const defaults = parseConfig({ users: config.users, backends: config.backends, schemas: config.schemas }, { env: {} });
  assert.deepEqual(config, defaults);
});

test('the example mentions every top-level setting', () => {
  const text = readFileSync(EXAMPLE, 'utf8');
  for (const key of Object.keys(configSchema.shape)) {
    assert.match(text, new RegExp(`^(# )?${key}:`, 'm'), `${key} is missing from the example`);
  }
});
