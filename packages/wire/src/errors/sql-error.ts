import { ServerError, type ServerErrorName } from './server-error.ts';

/** An error as the wire carries it: errno, SQLSTATE and message. */
export class SqlError extends Error {
  readonly errno: number;
  readonly sqlState: string;

  constructor(errno: number, sqlState: string, message: string) {
    super(message);
    this.name = 'SqlError';
    this.errno = errno;
    this.sqlState = sqlState;
  }

  static of(name: ServerErrorName, ...args: Array<string | number>): SqlError {
    const entry = ServerError[name];
    let next = 0;
    const message = entry.message.replace(/%s/g, () => String(args[next++] ?? ''));
    return new SqlError(entry.errno, entry.sqlState, message);
  }
}
