import pino, { type Logger } from 'pino';

/** Paths pino blanks out wherever they appear, so no password reaches a log line. */
const REDACTED_PATHS = [
  'password',
  'passwordHash',
  '*.password',
  '*.passwordHash',
  '*.*.password',
  '*.*.passwordHash',
  'users[*].password',
  'users[*].passwordHash',
  'backends[*].password',
  'config.users[*].password',
  'config.users[*].passwordHash',
  'config.backends[*].password',
];

export function createLogger(level: string, thread: string): Logger {
  return pino(
    { level, base: { pid: process.pid, thread }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    pino.destination({ dest: 1, sync: true }),
  );
}
