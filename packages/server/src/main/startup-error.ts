/**
 * Why Cathode cannot start, in one line an operator can act on (the port, the file, the backend):
 * the CLI prints the message alone, without a stack, and exits non-zero.
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message.replace(/\s*\n\s*/g, ' '), options);
    this.name = 'StartupError';
  }
}
