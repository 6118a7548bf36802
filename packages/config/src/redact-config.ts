import type { CathodeConfig } from './schema.ts';

export const REDACTED = '[redacted]';

// Matched by key anywhere in the tree, so a secret added to a new section
// later is redacted without anyone remembering to update this file.
const SECRET_KEYS = new Set(['password', 'passwordHash']);

/** A deep copy safe to log: every password and passwordHash becomes "[redacted]". */
export function redactConfig(config: CathodeConfig): CathodeConfig {
  return redact(config) as CathodeConfig;
}

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      SECRET_KEYS.has(key) ? REDACTED : redact(child),
    ]),
  );
}
