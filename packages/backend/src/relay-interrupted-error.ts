import { CathodeError, CathodeErrorCode } from '@cathode/wire';

/**
 * The backend connection died while its response was being relayed. Whether the client's stream
 * can still be ended with an ERR packet depends on where the relay stopped.
 */
export class RelayInterruptedError extends CathodeError {
  /** Some response bytes already reached the client. */
  readonly forwardedAny: boolean;
  /** The relay stopped between packets, so an ERR packet may follow. */
  readonly atPacketBoundary: boolean;
  /** Sequence id of the last packet passed on (-1 if none). */
  readonly lastSequenceId: number;

  constructor(message: string, details: { forwardedAny: boolean; atPacketBoundary: boolean; lastSequenceId: number; cause?: unknown }) {
    super(CathodeErrorCode.BACKEND_LOST, message, { cause: details.cause });
    this.forwardedAny = details.forwardedAny;
    this.atPacketBoundary = details.atPacketBoundary;
    this.lastSequenceId = details.lastSequenceId;
  }
}
