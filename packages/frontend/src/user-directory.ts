import { createHash, timingSafeEqual } from 'node:crypto';
import { cachingSha2Digest, nativePasswordStage2, parseNativePasswordHash } from '@cathode/wire';

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
}

export interface UserConfig {
  name: string;
  password?: string;
  passwordHash?: string;
  plugin: 'mysql_native_password' | 'caching_sha2_password';
  schemas: readonly string[];
  admin?: boolean;
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
        },
      ]),
    );
  }

  find(name: string): UserAccount | undefined {
    return this.accounts.get(name);
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
    return account.schemas.includes('*') || account.schemas.includes(schema);
  }
}

/** Constant-time comparison of two strings of possibly different lengths. */
function timingSafeEqualStrings(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
