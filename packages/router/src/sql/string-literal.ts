import type { MultibyteLength } from './multibyte-charsets.ts';

const ESCAPES: Record<number, number> = { 48: 0, 98: 8, 110: 10, 114: 13, 116: 9, 90: 26 };

/**
 * The bytes a string literal token stands for ('…', "…", N'…', X'…'), unescaped as MariaDB does
 * (doubled quotes; backslash escapes unless NO_BACKSLASH_ESCAPES, where `\%` and `\_` keep their
 * backslash). Undefined for B'…' literals, which Cathode does not evaluate.
 */
export function stringLiteralBytes(sql: Buffer, start: number, end: number, backslashEscapes: boolean, multibyte: MultibyteLength | undefined): Buffer | undefined {
  let first = sql[start];
  if (first === 78 || first === 110) {
    start++;
    first = sql[start];
  } else if (first === 88 || first === 120) {
    const hex = sql.toString('latin1', start + 2, sql[end - 1] === 39 && end - start > 2 ? end - 1 : end);
    return /^(?:[0-9a-fA-F]{2})*$/.test(hex) ? Buffer.from(hex, 'hex') : undefined;
  } else if (first === 66 || first === 98) {
    return undefined;
  }
  const quote = first;
  const innerEnd = end - start >= 2 && sql[end - 1] === quote ? end - 1 : end;
  const out = Buffer.allocUnsafe(Math.max(0, innerEnd - start - 1));
  let length = 0;
  for (let i = start + 1; i < innerEnd; ) {
    const c = sql[i];
    if (c >= 0x80 && multibyte !== undefined) {
      const n = multibyte(sql, i, innerEnd);
      if (n > 0) {
        for (let k = 0; k < n; k++) out[length++] = sql[i + k];
        i += n;
        continue;
      }
    }
    if (c === quote && sql[i + 1] === quote) {
      out[length++] = quote;
      i += 2;
    } else if (c === 92 && backslashEscapes && i + 1 < innerEnd) {
      const next = sql[i + 1];
      if (next === 37 || next === 95) out[length++] = 92;
      out[length++] = ESCAPES[next] ?? next;
      i += 2;
    } else {
      out[length++] = c;
      i++;
    }
  }
  return out.subarray(0, length);
}
