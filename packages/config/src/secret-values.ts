// Defence in depth for config errors: field rules already avoid echoing secret
// fields, but a field added later (or a custom message) might not. Before an
// error leaves the package, values of secret-looking fields are scrubbed from
// every message.
import type { ConfigIssue } from './config-error.ts';
import { describeType, describeValue } from './describe-value.ts';

/** Field names whose values are secrets wherever they appear in the config. */
const SECRET_KEY = /password|passphrase|secret|token|hash|credential/i;
/** Field names that may hold key material (tls.key, rsaKeys.privateKey): a wrong value is named by type only. */
const KEY_FIELD = /key/i;
/** Shorter secrets are not scrubbed as substrings: they would garble unrelated words. */
const MIN_SCRUBBED_LENGTH = 4;

export const SCRUBBED = '[redacted]';

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** PEM text pasted where a file path belongs. */
export function looksLikePem(value: unknown): boolean {
  return typeof value === 'string' && /-----BEGIN |PRIVATE KEY/.test(value);
}

/** Returns the issues with no secret value of `input` left in their messages. */
export function scrubSecretValues(issues: ConfigIssue[], input: unknown): ConfigIssue[] {
  const secrets = [...collectSecrets(input, false, new Set())]
    .filter((secret) => secret.length >= MIN_SCRUBBED_LENGTH)
    .flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)])
    // Longest first, so a secret containing another is replaced whole.
    .sort((a, b) => b.length - a.length);
  return issues.map((issue) => {
    let message = issue.message;
    const segments = issue.path === '' ? [] : issue.path.split('.');
    const value = valueAt(input, segments);
    if (value !== undefined && (segments.some((segment) => isSecretKey(segment) || KEY_FIELD.test(segment)) || looksLikePem(value))) {
      message = message.replace(`got ${describeValue(value)}`, `got ${describeType(value)}`);
    }
    for (const secret of secrets) message = message.split(secret).join(SCRUBBED);
    return message === issue.message ? issue : { ...issue, message };
  });
}

function collectSecrets(value: unknown, secret: boolean, into: Set<string>): Set<string> {
  if (typeof value === 'string') {
    if (secret || looksLikePem(value)) into.add(value);
  } else if (typeof value === 'number' || typeof value === 'bigint') {
    if (secret) into.add(String(value));
  } else if (Array.isArray(value)) {
    for (const item of value) collectSecrets(item, secret, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) collectSecrets(child, secret || isSecretKey(key), into);
  }
  return into;
}

function valueAt(input: unknown, segments: string[]): unknown {
  let value = input;
  for (const segment of segments) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}
