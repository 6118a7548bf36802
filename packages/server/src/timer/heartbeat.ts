import { BackendConnection, type BackendEndpoint } from '@cathode/backend';
import { CathodeError, CathodeErrorCode } from '@cathode/wire';

export interface HeartbeatOptions {
  sql: string;
  timeoutMs: number;
  /** Consecutive failures tolerated before the backend is declared down. */
  retries: number;
}

/**
 * Probes one backend with the heartbeat SQL on a dedicated connection and turns the results into
 * an up/down verdict: down after `retries + 1` consecutive failures, up again on the first success.
 */
export class Heartbeat {
  readonly endpoint: BackendEndpoint;
  private readonly options: HeartbeatOptions;
  private connection: BackendConnection | undefined;
  private failures = 0;
  healthy = true;

  constructor(endpoint: BackendEndpoint, options: HeartbeatOptions) {
    this.endpoint = endpoint;
    this.options = options;
  }

  /** Runs one probe; returns the new verdict when it changed, else undefined. */
  async beat(): Promise<{ healthy: boolean; error?: string } | undefined> {
    let error: string | undefined;
    try {
      await this.withTimeout(this.probe());
      this.failures = 0;
    } catch (failure) {
      error = (failure as Error).message;
      this.failures++;
      this.connection?.destroy(undefined);
      this.connection = undefined;
    }
    const healthy = this.failures <= this.options.retries;
    if (healthy === this.healthy) return undefined;
    this.healthy = healthy;
    return { healthy, error };
  }

  private async probe(): Promise<void> {
    if (!this.connection || this.connection.closed) {
      this.connection = await BackendConnection.connect({ endpoint: this.endpoint, flavor: 0, connectTimeoutMs: this.options.timeoutMs });
    }
    await this.connection.query(this.options.sql);
  }

  private withTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CathodeError(CathodeErrorCode.TIMEOUT, `heartbeat timed out after ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
    });
    work.catch(() => {});
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  close(): void {
    this.connection?.close();
  }
}
