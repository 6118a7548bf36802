import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from './config-error.ts';
import type { ConfigIssue } from './config-error.ts';
import { parseConfigText } from './parse-config-text.ts';
import { checkRsaKeyFiles, checkTlsFiles } from './pem-files.ts';
import { describeFsError, resolveFiles } from './resolve-files.ts';
import { configSchema, logLevelSchema } from './schema.ts';
import { scrubSecretValues } from './secret-values.ts';
import type { CathodeConfig } from './schema.ts';
import { toConfigIssues } from './zod-issues.ts';

/** Lets operators raise verbosity without editing the config file. */
export const LOG_LEVEL_ENV = 'CATHODE_LOG_LEVEL';

export interface ParseConfigOptions {
  /** Directory that relative tls/rsaKeys paths are resolved against; default process.cwd(). */
  baseDir?: string;
  /** Environment to read CATHODE_LOG_LEVEL from; default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
}

/**
 * Reads a config file (`.json` as JSON, anything else as YAML) and validates
 * it, resolving relative file paths against the file's directory.
 * @throws ConfigError naming the file for any problem.
 */
export function loadConfig(path: string, options: LoadConfigOptions = {}): CathodeConfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the config file (${describeFsError(error)})` }]);
  }
  const input = parseConfigText(text, file);
  return validateConfig(input, { baseDir: dirname(file), env: options.env }, file);
}

/**
 * Validates already-parsed config data and fills in defaults.
 * @throws ConfigError listing every problem found.
 */
export function parseConfig(input: unknown, options: ParseConfigOptions = {}): CathodeConfig {
  return validateConfig(input, options, undefined);
}

function validateConfig(input: unknown, options: ParseConfigOptions, file: string | undefined): CathodeConfig {
  const issues: ConfigIssue[] = [];
  const refuse = () => new ConfigError(file, scrubSecretValues(issues, input));
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) issues.push(...toConfigIssues(parsed.error.issues));
  const logLevel = readLogLevelOverride(options.env ?? process.env, issues);
  if (!parsed.success) throw refuse();

  // Files are only checked once the paths themselves are known to be valid.
  const baseDir = options.baseDir ?? process.cwd();
  const tls = resolveFiles(parsed.data.tls, 'tls', baseDir, issues);
  const rsaKeys = resolveFiles(parsed.data.rsaKeys, 'rsaKeys', baseDir, issues);
  const backends = parsed.data.backends.map((backend, index) =>
    backend.serverPublicKey === undefined ? backend : { ...backend, ...resolveFiles({ serverPublicKey: backend.serverPublicKey }, `backends.${index}`, baseDir, issues) },
  );
  checkTlsFiles(tls, issues);
  checkRsaKeyFiles(rsaKeys, issues);
  if (issues.length > 0) throw refuse();
  return {
    ...parsed.data,
    backends,
    ...(tls && { tls }),
    ...(rsaKeys && { rsaKeys }),
    log: { ...parsed.data.log, level: logLevel ?? parsed.data.log.level },
  };
}

function readLogLevelOverride(env: NodeJS.ProcessEnv, issues: ConfigIssue[]) {
  const value = env[LOG_LEVEL_ENV];
  // An empty value (`CATHODE_LOG_LEVEL= cathode`) counts as unset.
  if (value === undefined || value === '') return undefined;
  const parsed = logLevelSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  issues.push(...toConfigIssues(parsed.error.issues).map((issue) => ({ ...issue, path: LOG_LEVEL_ENV })));
  return undefined;
}
