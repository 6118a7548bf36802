import { SqlError } from './sql-error.ts';
import type { ServerErrorName } from './server-error.ts';

/**
 * Cathode's internal failures, by stable code. Each code maps to exactly one wire error in
 * `wireErrorFor`, so what a client sees for a given failure is decided in one place.
 */
export const CathodeErrorCode = {
  PROTOCOL_VIOLATION: 'CATHODE_PROTOCOL_VIOLATION',
  PACKET_TOO_LARGE: 'CATHODE_PACKET_TOO_LARGE',
  PACKETS_OUT_OF_ORDER: 'CATHODE_PACKETS_OUT_OF_ORDER',
  UNCOMPRESS_FAILED: 'CATHODE_UNCOMPRESS_FAILED',
  BACKEND_UNAVAILABLE: 'CATHODE_BACKEND_UNAVAILABLE',
  BACKEND_LOST: 'CATHODE_BACKEND_LOST',
  BACKEND_AUTH_FAILED: 'CATHODE_BACKEND_AUTH_FAILED',
  TIMEOUT: 'CATHODE_TIMEOUT',
  SHUTTING_DOWN: 'CATHODE_SHUTTING_DOWN',
  INTERNAL: 'CATHODE_INTERNAL',
} as const;

export type CathodeErrorCode = (typeof CathodeErrorCode)[keyof typeof CathodeErrorCode];

export class CathodeError extends Error {
  readonly code: CathodeErrorCode;

  constructor(code: CathodeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CathodeError';
    this.code = code;
  }
}

const wireErrorByCode: Record<CathodeErrorCode, ServerErrorName> = {
  CATHODE_PROTOCOL_VIOLATION: 'ER_MALFORMED_PACKET',
  CATHODE_PACKET_TOO_LARGE: 'ER_NET_PACKET_TOO_LARGE',
  CATHODE_PACKETS_OUT_OF_ORDER: 'ER_NET_PACKETS_OUT_OF_ORDER',
  CATHODE_UNCOMPRESS_FAILED: 'ER_NET_UNCOMPRESS_ERROR',
  CATHODE_BACKEND_UNAVAILABLE: 'ER_CONNECT_TO_FOREIGN_DATA_SOURCE',
  CATHODE_BACKEND_LOST: 'ER_BACKEND_LOST',
  CATHODE_BACKEND_AUTH_FAILED: 'ER_CONNECT_TO_FOREIGN_DATA_SOURCE',
  CATHODE_TIMEOUT: 'ER_NET_READ_INTERRUPTED',
  CATHODE_SHUTTING_DOWN: 'ER_SERVER_SHUTDOWN',
  CATHODE_INTERNAL: 'ER_UNKNOWN_ERROR',
};

/** The error packet content a client gets for any failure: SqlErrors pass as they are. */
export function wireErrorFor(error: unknown): SqlError {
  if (error instanceof SqlError) return error;
  if (error instanceof CathodeError) {
    const name = wireErrorByCode[error.code];
    if (name === 'ER_CONNECT_TO_FOREIGN_DATA_SOURCE' || name === 'ER_UNKNOWN_ERROR') return SqlError.of(name, error.message);
    if (name === 'ER_BACKEND_LOST') return SqlError.of(name, 'unknown');
    return SqlError.of(name);
  }
  return SqlError.of('ER_UNKNOWN_ERROR', 'internal error');
}

export function protocolViolation(message: string): CathodeError {
  return new CathodeError(CathodeErrorCode.PROTOCOL_VIOLATION, message);
}
