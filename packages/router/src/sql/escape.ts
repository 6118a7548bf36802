/**
 * The one place Cathode turns values into SQL text. Every literal or identifier that Cathode
 * writes into a statement goes through these two functions; nothing else concatenates user data
 * into SQL.
 */

/** A string literal safe under any sql_mode (NO_BACKSLASH_ESCAPES included): quotes doubled, and
 * backslashes and control bytes written as hex so neither escaping rule can change their meaning. */
export function escapeStringLiteral(value: string): string {
  if (/^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/.test(value)) return `'${value}'`;
  return `X'${Buffer.from(value, 'utf8').toString('hex')}'`;
}

/** A utf8mb4 string literal whatever the connection's character set: `_utf8mb4'…'`, or hex as escapeStringLiteral writes it. */
export function utf8mb4Literal(value: string): string {
  const literal = escapeStringLiteral(value);
  // An introducer before a hex literal needs the space; before a quote it may have none.
  return literal.startsWith('X') ? `_utf8mb4 ${literal}` : `_utf8mb4${literal}`;
}

/** A binary string literal, as hex. */
export function binaryLiteral(value: Buffer): string {
  return `X'${value.toString('hex')}'`;
}

/** An identifier in backquotes, with backquotes doubled; NUL is not allowed in identifiers. */
export function escapeIdentifier(name: string): string {
  if (name.includes('\0')) throw new TypeError('identifier contains NUL');
  return `\`${name.replace(/`/g, '``')}\``;
}

/** An integer literal: a safe integer, or a bigint in BIGINT UNSIGNED's or BIGINT's range; anything else is refused. */
export function integerLiteral(value: number | bigint): string {
  if (typeof value === 'bigint') {
    if (value < -(2n ** 63n) || value >= 2n ** 64n) throw new TypeError(`not a 64-bit integer: ${value}`);
    return value.toString();
  }
  if (!Number.isSafeInteger(value)) throw new TypeError(`not an integer: ${value}`);
  return String(value);
}
