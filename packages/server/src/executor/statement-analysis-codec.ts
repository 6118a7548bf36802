import type { StatementAnalysis } from '@cathode/router';
import { Packr } from 'msgpackr';

/**
 * A StatementAnalysis as bytes, to cross from an executor thread to its reactor. Records keep
 * objects apart from Maps (variables, userVariables come back as Maps), and 64-bit integers come
 * back as bigints (KILL targets), so the revived analysis equals the original, field for field,
 * with no list of fields to keep in step with the analysis.
 */
const packr = new Packr({ useRecords: true, moreTypes: false, int64AsType: 'bigint' });

/** The encoded analysis in a buffer of its own, so it can be transferred rather than copied. */
export function encodeStatementAnalysis(analysis: StatementAnalysis): Uint8Array {
  // pack() returns a view of msgpackr's reused buffer: transferring that would detach it.
  return new Uint8Array(packr.pack(analysis));
}

export function decodeStatementAnalysis(bytes: Uint8Array): StatementAnalysis {
  return packr.unpack(bytes) as StatementAnalysis;
}
