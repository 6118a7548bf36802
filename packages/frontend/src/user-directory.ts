import { createHash, timingSafeEqual } from 'node:crypto';
import { MYSQL_NATIVE_PASSWORD, cachingSha2Digest, nativePasswordStage2, parseNativePasswordHash } from '@cathode/wire';
import { likePattern } from './host-pattern.ts';
import type { ServerAccountRecord, ServerAccounts } from './server-accounts.ts';

/** The backend account a session's connections log in as; without one, the backend's own. */
export interface BackendLogin {
  user: string;
  password: string;
  /** SHA1(password) of a server account, recovered from its client's proof: a secret, never logged. */
  passwordStage1?: Buffer | undefined;
}

/** What a successful login proved: for mysql_native_password, SHA1(password) (undefined for an empty password). */
export interface AuthProof {
  passwordStage1: Buffer | undefined;
  /** The account as reloaded during the login (a server account whose password changed), if it was. */
  account?: UserAccount | undefined;
}

export interface UserAccount {
  name: string;
  plugin: 'mysql_native_password' | 'caching_sha2_password';
  /** SHA1(SHA1(password)), or undefined for an empty password. */
  nativeStage2: Buffer | undefined;
  /** Kept only when configured in plaintext; full caching_sha2 auth can also check against nativeStage2. */
  password: string | undefined;
  schemas: readonly string[];
  /** May run administrative statements (SET GLOBAL, GRANT, SHUTDOWN, ...). */
  admin: boolean;
  /** A configured user's backendAccount. */
  backendLogin?: BackendLogin | undefined;
  /** An account loaded from the backend: its grants' schemas, and it logs in to the backend as itself. */
  server?: { host: string; schemaPatterns: readonly RegExp[] } | undefined;
  /** A server account whose auth plugin Cathode cannot pass on to the backend: refused. */
  unsupportedPlugin?: string | undefined;
}

export interface UserConfig {
  name: string;
  password?: string;
  passwordHash?: string;
  plugin: 'mysql_native_password' | 'caching_sha2_password';
  schemas: readonly string[];
  admin?: boolean;
  backendAccount?: { user: string; password: string } | undefined;
}

/**
 * The accounts clients may log in as, and the caching_sha2_password verified-password cache:
 * SHA256(SHA256(password)) of users who completed a full authentication, enabling the fast path.
 */
export class UserDirectory {
  private readonly accounts: Map<string, UserAccount>;
  private readonly verifiedDigests = new Map<string, Buffer>();
  /** Told of each password verified here, so other threads' directories can learn it (`learnVerified`). */
  onVerified: ((name: string, digest: Buffer) => void) | undefined;
  /** The backend's own accounts, looked up after the configured users (accounts.fromBackend). */
  serverAccounts: ServerAccounts | undefined;

  constructor(users: readonly UserConfig[]) {
    this.accounts = new Map(
      users.map((user) => [
        user.name,
        {
          name: user.name,
          plugin: user.plugin,
          nativeStage2: user.passwordHash ? parseNativePasswordHash(user.passwordHash) : user.password ? nativePasswordStage2(user.password) : undefined,
          password: user.password,
          schemas: user.schemas,
          admin: user.admin ?? false,
          backendLogin: user.backendAccount && { user: user.backendAccount.user, password: user.backendAccount.password },
        },
      ]),
    );
  }

  /** A configured user. */
  find(name: string): UserAccount | undefined {
    return this.accounts.get(name);
  }

  /** The account a client logs in as: a configured user, else a server account matching the client's address. */
  async resolve(name: string, remoteAddress: string): Promise<UserAccount | undefined> {
    const configured = this.accounts.get(name);
    if (configured || !this.serverAccounts) return configured;
    const record = await this.serverAccounts.find(name, remoteAddress);
    return record && serverAccount(record);
  }

  /** A server account read again from the backend (rate-limited), or undefined when it was not reloaded. */
  async reloaded(account: UserAccount, remoteAddress: string): Promise<UserAccount | undefined> {
    if (!account.server || !this.serverAccounts) return undefined;
    const record = await this.serverAccounts.reloaded(account.name, remoteAddress);
    return record && serverAccount(record);
  }

  /** Who the session's backend connections log in as, once `account` proved itself with `proof`. */
  backendLogin(account: UserAccount, proof: AuthProof): BackendLogin | undefined {
    if (!account.server) return account.backendLogin;
    return { user: account.name, password: '', passwordStage1: proof.passwordStage1 };
  }

  /** Whether `password` (received in cleartext during full auth) is the account's password. */
  passwordMatches(account: UserAccount, password: string): boolean {
    if (account.password !== undefined) return timingSafeEqualStrings(password, account.password);
    if (account.nativeStage2 === undefined) return password === '';
    return nativePasswordStage2(password).equals(account.nativeStage2);
  }

  rememberVerified(account: UserAccount, password: string): void {
    const digest = cachingSha2Digest(password);
    this.verifiedDigests.set(account.name, digest);
    this.onVerified?.(account.name, digest);
  }

  /** A digest another reactor verified: the cache is per server, not per thread, as in MySQL. */
  learnVerified(name: string, digest: Buffer): void {
    if (this.accounts.has(name)) this.verifiedDigests.set(name, digest);
  }

  verifiedDigest(account: UserAccount): Buffer | undefined {
    return this.verifiedDigests.get(account.name);
  }

  mayUseSchema(account: UserAccount, schema: string): boolean {
    if (account.server) return account.server.schemaPatterns.some((pattern) => pattern.test(schema));
    return account.schemas.includes('*') || account.schemas.includes(schema);
  }
}

const NATIVE_HASH = /^\*[0-9A-Fa-f]{40}$/;

function serverAccount(record: ServerAccountRecord): UserAccount {
  const plugin = record.plugin === '' ? MYSQL_NATIVE_PASSWORD : record.plugin;
  const hash = record.authenticationString;
  const usable = plugin === MYSQL_NATIVE_PASSWORD && (hash === '' || NATIVE_HASH.test(hash));
  return {
    name: record.user,
    plugin: MYSQL_NATIVE_PASSWORD,
    nativeStage2: usable && hash !== '' ? parseNativePasswordHash(hash) : undefined,
    password: undefined,
    schemas: [],
    // Administration goes through a configured admin user.
    admin: false,
    server: { host: record.host, schemaPatterns: record.schemaPatterns.map(likePattern) },
    unsupportedPlugin: usable ? undefined : plugin,
  };
}

/** Constant-time comparison of two strings of possibly different lengths. */
function timingSafeEqualStrings(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
