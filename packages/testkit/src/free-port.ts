import { createServer } from 'node:net';

/** Listens on `port` (0 = any) on 127.0.0.1, closes again, and returns the port; rejects if it is taken. */
export function claimPortBriefly(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine the listening port'));
      });
    });
  });
}

/** A TCP port that was free on 127.0.0.1 a moment ago (someone may still grab it before you do). */
export function freePort(): Promise<number> {
  return claimPortBriefly(0);
}
