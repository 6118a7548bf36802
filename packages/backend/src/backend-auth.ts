import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  CACHING_SHA2_PASSWORD,
  CachingSha2,
  MYSQL_NATIVE_PASSWORD,
  cachingSha2Response,
  encryptPasswordWithPublicKey,
  nativePasswordResponse,
  nativeResponseFromStage1,
  CathodeError,
  CathodeErrorCode,
} from '@cathode/wire';

/** What caching_sha2_password full authentication needs to know about the backend. */
export interface Sha2Backend {
  name: string;
  /** Path to the server's RSA public key (PEM), configured as backends[].serverPublicKey. */
  serverPublicKey?: string | undefined;
}

/** What a login proves itself with: a password, or only SHA1(password) (a server account's client proved it). */
export interface LoginSecret {
  password: string;
  /** SHA1(password), recovered from the client's mysql_native_password proof; enough for that plugin only. */
  passwordStage1?: Buffer | undefined;
}

/**
 * The plugin to answer the server's greeting with: its own, unless only SHA1(password) is known,
 * which speaks mysql_native_password alone (a server defaulting to another plugin then checks the
 * account's, or asks to switch).
 */
export function loginPlugin(serverPlugin: string, secret: LoginSecret): string {
  return secret.passwordStage1 ? MYSQL_NATIVE_PASSWORD : serverPlugin;
}

/** The first auth response for `plugin`, given the server's nonce. */
export function initialAuthResponse(plugin: string, secret: LoginSecret, nonce: Buffer): Buffer {
  if (secret.passwordStage1) {
    if (plugin !== MYSQL_NATIVE_PASSWORD) {
      throw new CathodeError(CathodeErrorCode.BACKEND_AUTH_FAILED, `backend asks for auth plugin ${plugin}, but a server account can only be passed on with mysql_native_password`);
    }
    return nativeResponseFromStage1(secret.passwordStage1, nonce);
  }
  switch (plugin) {
    case MYSQL_NATIVE_PASSWORD:
      return nativePasswordResponse(secret.password, nonce);
    case CACHING_SHA2_PASSWORD:
      return cachingSha2Response(secret.password, nonce);
    default:
      throw new CathodeError(CathodeErrorCode.BACKEND_AUTH_FAILED, `backend asks for unsupported auth plugin ${plugin}`);
  }
}

/**
 * The client's next move in caching_sha2_password after an AuthMoreData from the server, or
 * undefined when nothing is to be sent (fast-auth success: an OK follows).
 * Full authentication over plain TCP encrypts the password with the configured server key and
 * never asks the server for its key: a key handed over the network may be an attacker's, who
 * would then decrypt the password.
 */
export function cachingSha2Continue(data: Buffer, password: string, nonce: Buffer, backend: Sha2Backend): Buffer | undefined {
  if (data.length === 1 && data[0] === CachingSha2.FAST_AUTH_SUCCESS) return undefined;
  if (data.length === 1 && data[0] === CachingSha2.PERFORM_FULL_AUTHENTICATION) {
    if (backend.serverPublicKey === undefined) {
      throw new CathodeError(
        CathodeErrorCode.BACKEND_AUTH_FAILED,
        `backend ${backend.name} asks for caching_sha2_password full authentication, which over plain TCP needs the server's RSA public key: ` +
          `set backends[].serverPublicKey for ${backend.name} to its PEM file (Cathode does not accept a key sent over the network)`,
      );
    }
    return encryptPasswordWithPublicKey(password, nonce, readServerPublicKey(backend.name, backend.serverPublicKey));
  }
  throw new CathodeError(CathodeErrorCode.BACKEND_AUTH_FAILED, `unexpected caching_sha2_password data from backend ${backend.name}`);
}

/** Read at each full authentication (rare: the server caches a login), so a replaced key file takes effect. */
function readServerPublicKey(backendName: string, path: string): Buffer {
  try {
    const pem = readFileSync(path);
    createPublicKey(pem);
    return pem;
  } catch (error) {
    throw new CathodeError(
      CathodeErrorCode.BACKEND_AUTH_FAILED,
      `cannot use serverPublicKey ${path} of backend ${backendName}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
