/** Bits of a connection id that count connections; the 8 above them are the instance id. */
export const COUNTER_BITS = 24;
const COUNTER_LIMIT = 2 ** COUNTER_BITS;

/**
 * Connection ids as clients see them (handshake, CONNECTION_ID(), SHOW PROCESSLIST, KILL): the
 * instance id in the high 8 bits and a per-instance counter in the low 24, so ids stay below 2^32
 * (the handshake's thread id and CONNECTION_ID() are 32-bit) and two instances behind one load
 * balancer never hand out the same id. 8 bits allow 256 instances; 24 bits allow 16.7 million live
 * sessions per instance, far more than one process holds. The counter wraps after 2^24 - 1
 * (counter 0 is never used, so instance 0 never gives out id 0) and skips ids still in use.
 */
export class ConnectionIds {
  private readonly base: number;
  private readonly inUse: (id: number) => boolean;
  private counter = 0;

  constructor(instanceId: number, inUse: (id: number) => boolean) {
    if (!Number.isInteger(instanceId) || instanceId < 0 || instanceId > 255) throw new RangeError(`instanceId must be 0..255, got ${instanceId}`);
    this.base = instanceId * COUNTER_LIMIT;
    this.inUse = inUse;
  }

  next(): number {
    for (let tries = 1; tries < COUNTER_LIMIT; tries++) {
      this.counter = this.counter + 1 === COUNTER_LIMIT ? 1 : this.counter + 1;
      const id = this.base + this.counter;
      if (!this.inUse(id)) return id;
    }
    throw new Error('every connection id of this instance is in use');
  }
}
