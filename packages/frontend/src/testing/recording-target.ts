// Test-only: a ResultTarget that frames like ClientConnection and keeps what was written.
import { framePayload } from '@cathode/wire';
import type { ResultTarget } from '../result-writer.ts';

export class RecordingTarget implements ResultTarget {
  readonly capabilityFlags: number;
  /** The sequence id the next packet carries: 1 after a command's packet 0, as on a client connection. */
  sequenceId: number;
  /** What writePacket returns: false plays a socket that wants a drain. */
  writable = true;
  /** Logical payloads, one per writePacket call. */
  readonly payloads: Buffer[] = [];
  private readonly frames: Buffer[] = [];

  constructor(capabilityFlags: number, firstSequenceId = 1) {
    this.capabilityFlags = capabilityFlags;
    this.sequenceId = firstSequenceId;
  }

  writePacket(payload: Buffer): boolean {
    this.payloads.push(payload);
    const framed = framePayload(payload, this.sequenceId);
    this.sequenceId = framed.nextSequenceId;
    this.frames.push(framed.bytes);
    return this.writable;
  }

  /** Everything written, as the client receives it. */
  get bytes(): Buffer {
    return Buffer.concat(this.frames);
  }
}
