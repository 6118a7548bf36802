import type { CathodeConfig } from './schema.ts';
import { isSecretKey } from './secret-values.ts';

export const REDACTED = '[redacted]';

// Matched by key name anywhere in the tree (password, passwordHash, any
// secret or token), so a secret added to a new section later is redacted
// without anyone remembering to update this file.

/** A deep copy safe to log: every secret field (password, passwordHash, …) becomes "[redacted]". */
export function redactConfig(config: CathodeConfig): CathodeConfig {
  return redact(config) as CathodeConfig;
}

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      isSecretKey(key) ? REDACTED : redact(child),
    ]),
  );
}
