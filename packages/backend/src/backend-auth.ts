import {
  CACHING_SHA2_PASSWORD,
  CachingSha2,
  MYSQL_NATIVE_PASSWORD,
  cachingSha2Response,
  encryptPasswordWithPublicKey,
  nativePasswordResponse,
  CathodeError,
  CathodeErrorCode,
} from '@cathode/wire';

/** The first auth response for `plugin`, given the server's nonce. */
export function initialAuthResponse(plugin: string, password: string, nonce: Buffer): Buffer {
  switch (plugin) {
    case MYSQL_NATIVE_PASSWORD:
      return nativePasswordResponse(password, nonce);
    case CACHING_SHA2_PASSWORD:
      return cachingSha2Response(password, nonce);
    default:
      throw new CathodeError(CathodeErrorCode.BACKEND_AUTH_FAILED, `backend asks for unsupported auth plugin ${plugin}`);
  }
}

/**
 * The client's next move in caching_sha2_password after an AuthMoreData from the server, or
 * undefined when nothing is to be sent (fast-auth success: an OK follows).
 */
export function cachingSha2Continue(data: Buffer, password: string, nonce: Buffer, awaitingPublicKey: boolean): Buffer | undefined {
  if (awaitingPublicKey) return encryptPasswordWithPublicKey(password, nonce, data);
  if (data.length === 1 && data[0] === CachingSha2.FAST_AUTH_SUCCESS) return undefined;
  if (data.length === 1 && data[0] === CachingSha2.PERFORM_FULL_AUTHENTICATION) return Buffer.of(CachingSha2.REQUEST_PUBLIC_KEY);
  throw new CathodeError(CathodeErrorCode.BACKEND_AUTH_FAILED, 'unexpected caching_sha2_password data from backend');
}
