// Shared helpers for this package's tests.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { ConfigError } from './config-error.ts';
import type { ConfigIssue } from './config-error.ts';
import { parseConfig } from './load-config.ts';
import type { ParseConfigOptions } from './load-config.ts';

// Loose on purpose: tests build invalid configs.
export type RawConfig = Record<string, any>;

/** The smallest complete config: one user and one backend. */
export function minimalInput(): RawConfig {
  return {
    users: [{ name: 'app', password: 'app-password', schemas: ['*'] }],
    backends: [{ name: 'primary', user: 'root' }],
  };
}

/** Runs `fn`, which must throw a ConfigError, and returns that error. */
export function catchConfigError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  assert.fail('expected a ConfigError');
}

/** The issues parseConfig reports; an empty env keeps the caller's CATHODE_LOG_LEVEL out. */
export function issuesOf(input: unknown, options: ParseConfigOptions = {}): ConfigIssue[] {
  return catchConfigError(() => parseConfig(input, { env: {}, ...options })).issues;
}

/** A fresh directory under os.tmpdir(), removed when the test file finishes. */
export function makeTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cathode-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
