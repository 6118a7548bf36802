import { integerLiteral } from './escape.ts';

/** Text that replaces bytes start … end - 1 of a statement (offsets as the analysis reports them). */
export interface Replacement {
  start: number;
  end: number;
  /** ASCII only: it is written into the statement whatever its character set. */
  text: string;
}

/**
 * A copy of `payload` with the replacements made in the statement text that starts at `offset`
 * (1 for a COM_QUERY or COM_STMT_PREPARE payload: the command byte stays). Replacements may come in
 * any order; they must not overlap.
 */
export function applyReplacements(payload: Buffer, offset: number, replacements: readonly Replacement[]): Buffer {
  const sorted = [...replacements].sort((a, b) => a.start - b.start);
  const parts: Buffer[] = [payload.subarray(0, offset)];
  let at = 0;
  for (const { start, end, text } of sorted) {
    if (start < at || end < start || offset + end > payload.length) throw new RangeError(`replacement ${start}…${end} overlaps another or lies outside the text`);
    parts.push(payload.subarray(offset + at, offset + start), Buffer.from(text, 'latin1'));
    at = end;
  }
  parts.push(payload.subarray(offset + at));
  return Buffer.concat(parts);
}

/** Each CONNECTION_ID() call (ranges [start, end, …] from the analysis) becomes the session's id. */
export function connectionIdReplacements(calls: readonly number[], connectionId: number): Replacement[] {
  const text = integerLiteral(connectionId);
  const replacements: Replacement[] = [];
  for (let k = 0; k + 1 < calls.length; k += 2) replacements.push({ start: calls[k], end: calls[k + 1], text });
  return replacements;
}
