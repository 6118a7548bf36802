export { ConfigError } from './config-error.ts';
export type { ConfigIssue } from './config-error.ts';
export { LOG_LEVEL_ENV, loadConfig, parseConfig } from './load-config.ts';
export type { LoadConfigOptions, ParseConfigOptions } from './load-config.ts';
export { REDACTED, redactConfig } from './redact-config.ts';
export { AUTH_PLUGINS, LOG_LEVELS, configSchema } from './schema.ts';
export type { AccountsConfig, BackendConfig, CathodeConfig, LogLevel, UserConfig } from './schema.ts';
