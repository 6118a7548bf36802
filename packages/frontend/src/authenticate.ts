import {
  CACHING_SHA2_PASSWORD,
  CachingSha2,
  MYSQL_NATIVE_PASSWORD,
  decryptPasswordWithPrivateKey,
  encodeAuthMoreData,
  encodeAuthSwitchRequest,
  recoverNativeStage1,
  verifyCachingSha2,
} from '@cathode/wire';
import type { ClientConnection } from './client-connection.ts';
import type { AuthProof, UserAccount, UserDirectory } from './user-directory.ts';

export interface AuthAttempt {
  account: UserAccount | undefined;
  /** The plugin the client used for `authResponse`. */
  clientPlugin: string | undefined;
  authResponse: Buffer;
  scramble: Buffer;
}

export interface AuthContext {
  connection: ClientConnection;
  users: UserDirectory;
  rsaKeys: { privateKey: string; publicKey: string } | undefined;
}

const NO_STAGE1: AuthProof = { passwordStage1: undefined };

/**
 * Runs the authentication exchange for one login (handshake or COM_CHANGE_USER): what the client
 * proved, or undefined when it did not prove the account's password. The account's plugin
 * decides; a client that started with another plugin is switched over first.
 */
export async function authenticate(context: AuthContext, attempt: AuthAttempt): Promise<AuthProof | undefined> {
  const { account } = attempt;
  if (!account || account.unsupportedPlugin !== undefined) return undefined;
  const { scramble } = attempt;
  let { authResponse } = attempt;
  if ((attempt.clientPlugin ?? MYSQL_NATIVE_PASSWORD) !== account.plugin) {
    context.connection.writePacket(encodeAuthSwitchRequest({ pluginName: account.plugin, pluginData: scramble }));
    authResponse = (await context.connection.nextPacket()).payload;
  }
  if (account.plugin === MYSQL_NATIVE_PASSWORD) {
    const proof = nativePassword(authResponse, scramble, account.nativeStage2);
    if (proof || !account.server) return proof;
    // The password may have changed on the server since the accounts were read: read them again (rate-limited).
    const reloaded = await context.users.reloaded(account, context.connection.remoteAddress);
    if (!reloaded || reloaded.unsupportedPlugin !== undefined) return undefined;
    const reproof = nativePassword(authResponse, scramble, reloaded.nativeStage2);
    return reproof && { ...reproof, account: reloaded };
  }
  if (account.plugin === CACHING_SHA2_PASSWORD) return (await cachingSha2(context, account, authResponse, scramble)) ? NO_STAGE1 : undefined;
  return undefined;
}

/** SHA1(password) comes out of a valid proof: a server account's backend logins answer with it. */
function nativePassword(response: Buffer, scramble: Buffer, stage2: Buffer | undefined): AuthProof | undefined {
  if (stage2 === undefined) return response.length === 0 ? NO_STAGE1 : undefined;
  const passwordStage1 = recoverNativeStage1(response, scramble, stage2);
  return passwordStage1 && { passwordStage1 };
}

async function cachingSha2(context: AuthContext, account: UserAccount, authResponse: Buffer, scramble: Buffer): Promise<boolean> {
  const { connection, users } = context;
  if (authResponse.length === 0) return users.passwordMatches(account, '');
  const verified = users.verifiedDigest(account);
  if (verified) {
    if (!verifyCachingSha2(authResponse, scramble, verified)) return false;
    connection.writePacket(encodeAuthMoreData(Buffer.of(CachingSha2.FAST_AUTH_SUCCESS)));
    return true;
  }
  connection.writePacket(encodeAuthMoreData(Buffer.of(CachingSha2.PERFORM_FULL_AUTHENTICATION)));
  let reply = (await connection.nextPacket()).payload;
  let password: string | undefined;
  if (connection.secure) {
    const nul = reply.indexOf(0);
    password = reply.subarray(0, nul === -1 ? reply.length : nul).toString('utf8');
  } else if (reply.length === 1 && reply[0] === CachingSha2.REQUEST_PUBLIC_KEY && context.rsaKeys) {
    connection.writePacket(encodeAuthMoreData(Buffer.from(context.rsaKeys.publicKey, 'utf8')));
    reply = (await connection.nextPacket()).payload;
    password = decryptPasswordWithPrivateKey(reply, scramble, context.rsaKeys.privateKey);
  }
  // Without TLS or RSA a password would cross the network in clear: refuse, as MySQL does.
  if (password === undefined || !users.passwordMatches(account, password)) return false;
  users.rememberVerified(account, password);
  return true;
}
