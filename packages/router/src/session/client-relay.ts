import type { BackendConnection, RelayOutcome, ResponseSink } from '@cathode/backend';
import type { ClientConnection } from '@cathode/frontend';
import { type PacketHeadHook, type ResponseShape, framePayload } from '@cathode/wire';
import type { Lease } from './lease.ts';

/** What a failed relay leaves to its session: the error to answer with, after the lease took its connection back. */
export type RelayFailure = (lease: Lease, connection: BackendConnection, error: unknown) => unknown;

/**
 * Streams backend responses to one client, undecoded, one command at a time: the per-statement
 * path. It knows which lease and connection run the current command (for KILL QUERY), and feeds a
 * LOAD DATA LOCAL file from the client to the backend that asked for it.
 */
export class ClientRelay {
  private readonly client: ClientConnection;
  private readonly failure: RelayFailure;
  /** Where relayed responses go: the client connection. One object for the session's lifetime. */
  private readonly sink: ResponseSink;
  /** The relay in flight: its lease, and what to do when it ends or fails. */
  private lease: Lease | undefined;
  private connection: BackendConnection | undefined;
  private then: ((outcome: RelayOutcome) => void) | undefined;
  private fail: ((error: unknown) => void) | undefined;

  constructor(client: ClientConnection, failure: RelayFailure) {
    this.client = client;
    this.failure = failure;
    this.sink = {
      write: (bytes) => client.writeFramed(bytes),
      holdsWrittenBytes: () => client.holdsWrittenBytes(),
      onDrain: (resume) => client.onDrain(resume),
      onLocalInfileRequest: () => {
        if (this.connection) void this.pumpLocalInfile(this.connection);
      },
    };
  }

  /** The lease and connection running the current command, if a relay is in flight. */
  get running(): { lease: Lease; connection: BackendConnection } | undefined {
    return this.lease && this.connection ? { lease: this.lease, connection: this.connection } : undefined;
  }

  get busy(): boolean {
    return this.connection !== undefined;
  }

  /**
   * Sends a command and streams the response to the client, then calls `then` with the outcome
   * (or `fail` with the error to answer with). Callbacks, not a promise: this is the per-statement path.
   */
  relayOn(lease: Lease, connection: BackendConnection, framedCommand: Buffer, shape: ResponseShape, onHead: PacketHeadHook | undefined, then: (outcome: RelayOutcome) => void, fail: (error: unknown) => void): void {
    this.lease = lease;
    this.connection = connection;
    this.then = then;
    this.fail = fail;
    try {
      connection.relay(framedCommand, shape, this.sink, onHead, this.ended);
    } catch (error) {
      this.clear();
      fail(this.failure(lease, connection, error));
    }
  }

  relayed(lease: Lease, connection: BackendConnection, framedCommand: Buffer, shape: ResponseShape, onHead?: PacketHeadHook): Promise<RelayOutcome> {
    return new Promise((resolve, reject) => this.relayOn(lease, connection, framedCommand, shape, onHead, resolve, reject));
  }

  private readonly ended = (error: Error | undefined, outcome: RelayOutcome | undefined): void => {
    const lease = this.lease!;
    const connection = this.connection!;
    const then = this.then!;
    const fail = this.fail!;
    this.clear();
    if (!outcome) {
      fail(this.failure(lease, connection, error));
      return;
    }
    this.client.sequenceId = (outcome.lastSequenceId + 1) & 0xff;
    try {
      then(outcome);
    } catch (thrown) {
      fail(thrown);
    }
  };

  private clear(): void {
    this.lease = undefined;
    this.connection = undefined;
    this.then = undefined;
    this.fail = undefined;
  }

  /** LOAD DATA LOCAL: the client's file packets go to the backend until the empty packet. */
  private async pumpLocalInfile(connection: BackendConnection): Promise<void> {
    try {
      for (;;) {
        const packet = await this.client.nextPacket();
        const finished = packet.payload.length === 0;
        connection.sendLocalInfileData(framePayload(packet.payload, packet.sequenceId).bytes, finished);
        if (finished) return;
      }
    } catch (error) {
      connection.destroy(error as Error);
    }
  }
}
