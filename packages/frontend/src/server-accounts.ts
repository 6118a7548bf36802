import { accountAddress, hostMatches, hostSpecificity } from './host-pattern.ts';

/** An account as the backend stores it (see the backend package's account loader). */
export interface ServerAccountRecord {
  user: string;
  host: string;
  /** '' on old servers means mysql_native_password. */
  plugin: string;
  /** For mysql_native_password: '*' + 40 hex digits, or '' for no password. */
  authenticationString: string;
  /** LIKE patterns of the schemas its grants name; '%' for a global privilege. */
  schemaPatterns: string[];
}

export interface ServerAccountsOptions {
  /** Reads the backend's accounts (with the backend's own account). */
  load: () => Promise<ServerAccountRecord[]>;
  /** An unknown user triggers a reload at most this often. */
  reloadMinIntervalMs: number;
  /** Told of a load that failed; the accounts loaded before stay. */
  onLoadFailed?: (error: unknown) => void;
  /** Told of the accounts a load read, for the other reactors to adopt (see `adopt`). */
  onLoaded?: (records: ServerAccountRecord[]) => void;
  now?: () => number;
}

/**
 * The backend's accounts (MaxScale's model), reloaded when someone unknown logs in: a user
 * created on the server can log in without a restart, and a stream of unknown names costs at
 * most one reload per interval. Logins during a load wait for it, sharing it.
 */
export class ServerAccounts {
  private byUser = new Map<string, ServerAccountRecord[]>();
  private loading: Promise<void> | undefined;
  /** When the last load started; -Infinity before the first. */
  private loadedAt = Number.NEGATIVE_INFINITY;
  private readonly options: ServerAccountsOptions;
  private readonly now: () => number;

  constructor(options: ServerAccountsOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** Starts a load now, whatever the interval (at start-up). */
  preload(): Promise<void> {
    return this.loading ?? this.startLoad();
  }

  /**
   * The account `user` logs in as from `remoteAddress`: of the user's accounts whose host
   * matches, the most specific host. When none matches, the accounts are reloaded (unless that
   * happened less than reloadMinIntervalMs ago) and asked again.
   */
  async find(user: string, remoteAddress: string): Promise<ServerAccountRecord | undefined> {
    const address = accountAddress(remoteAddress);
    if (this.loading) await this.loading;
    const found = this.match(user, address);
    if (found) return found;
    if (this.now() - this.loadedAt < this.options.reloadMinIntervalMs) return undefined;
    await (this.loading ?? this.startLoad());
    return this.match(user, address);
  }

  /**
   * The account again after a reload, for a login whose password did not match (it may have been
   * changed on the server); undefined when the last load is more recent than reloadMinIntervalMs.
   */
  async reloaded(user: string, remoteAddress: string): Promise<ServerAccountRecord | undefined> {
    if (this.now() - this.loadedAt < this.options.reloadMinIntervalMs) return undefined;
    await (this.loading ?? this.startLoad());
    return this.match(user, accountAddress(remoteAddress));
  }

  /**
   * The accounts another reactor just read: a password changed on the server must stop working on
   * every reactor as soon as one has seen the change, not only on the one that reloaded.
   */
  adopt(records: ServerAccountRecord[]): void {
    this.byUser = byUserMostSpecificFirst(records);
    this.loadedAt = this.now();
  }

  private match(user: string, address: string): ServerAccountRecord | undefined {
    return this.byUser.get(user)?.find((account) => hostMatches(account.host, address));
  }

  private startLoad(): Promise<void> {
    this.loadedAt = this.now();
    const loading = this.options.load().then(
      (records) => {
        this.byUser = byUserMostSpecificFirst(records);
        this.options.onLoaded?.(records);
      },
      (error: unknown) => this.options.onLoadFailed?.(error),
    );
    this.loading = loading.finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }
}

function byUserMostSpecificFirst(records: readonly ServerAccountRecord[]): Map<string, ServerAccountRecord[]> {
  const byUser = new Map<string, ServerAccountRecord[]>();
  for (const record of records) {
    const accounts = byUser.get(record.user);
    if (accounts) accounts.push(record);
    else byUser.set(record.user, [record]);
  }
  // Stable: equally specific hosts keep the server's order.
  for (const accounts of byUser.values()) accounts.sort((a, b) => hostSpecificity(b.host) - hostSpecificity(a.host));
  return byUser;
}
