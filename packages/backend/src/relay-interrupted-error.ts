import { CathodeError, CathodeErrorCode } from '@cathode/wire';

/**
 * The backend connection died while its response was being relayed or consumed. Whether the
 * client can still be answered with an ERR packet is the client side's to know (nothing of the
 * response reached it yet, or some did).
 */
export class RelayInterruptedError extends CathodeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(CathodeErrorCode.BACKEND_LOST, message, options);
  }
}
