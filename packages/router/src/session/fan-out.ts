import type { BackendConnection, PacketConsumer, RelayOutcome } from '@cathode/backend';
import type { ResultWriter } from '@cathode/frontend';
import { CathodeError, CathodeErrorCode, PayloadReader, ResponseShape, ServerStatus, SqlError, decodeErrPacket, encodeComQuery, framePayload, isEndOfStream } from '@cathode/wire';
import type { DataNode } from '../routing/data-node.ts';
import type { RouteTarget } from '../routing/route-plan.ts';
import type { Lease } from './lease.ts';

/** Packets a target may queue ahead of its turn before its backend is not read from. */
const QUEUED_PACKETS_PER_TARGET = 256;

/** What a fan-out needs of its session. */
export interface FanOutHost {
  /** The session's transaction state before the statement: what the EOF after the column definitions reports. */
  readonly statusFlags: number;
  leaseFor(node: DataNode): Lease;
  /** A lease's connection after its checkout (the error to answer with when it fails, the session may end). */
  failed(lease: Lease, connection: BackendConnection, error: unknown): unknown;
  checkin(lease: Lease, connection: BackendConnection, statusFlags: number | undefined): void;
}

/**
 * Leases for several data nodes, taken in ascending node id: two sessions that each need some of
 * the same nodes never hold one while waiting for one the other holds. All or nothing: when one
 * checkout fails, those already taken go back.
 */
export async function checkoutInOrder(leases: readonly Lease[]): Promise<BackendConnection[]> {
  const ordered = [...leases].sort((a, b) => a.node.id - b.node.id);
  const taken = new Map<Lease, BackendConnection>();
  try {
    for (const lease of ordered) taken.set(lease, await lease.checkout());
  } catch (error) {
    for (const [lease, connection] of taken) lease.checkin(connection, undefined);
    throw error;
  }
  return leases.map((lease) => taken.get(lease)!);
}

/**
 * Runs one statement on several data nodes at once and answers the client with their responses
 * concatenated: the first target's column definitions, then every target's rows in target order
 * (later targets queue a bounded number of packets, then wait), or summed OKs. An error from any
 * target answers the statement (after rows: in place of the end packet); every target's response
 * is read to its end before the connections go back.
 */
export async function fanOutConcatenate(host: FanOutHost, targets: readonly RouteTarget[], writer: ResultWriter): Promise<void> {
  const leases = [...new Set(targets.map((target) => host.leaseFor(target.node)))];
  if (leases.length !== targets.length) throw new CathodeError(CathodeErrorCode.INTERNAL, 'a fan-out sends one statement per data node');
  const connections = await checkoutInOrder(leases);
  const streams = targets.map((target, index) => new TargetStream(target, leases[index], connections[index]));
  const merge = new ConcatenateMerge(streams, writer, host.statusFlags);
  const outcomes = await Promise.allSettled(streams.map((stream) => stream.run(merge)));
  let lostError: unknown;
  outcomes.forEach((outcome, index) => {
    const stream = streams[index];
    if (outcome.status === 'fulfilled') host.checkin(stream.lease, stream.connection, outcome.value.statusFlags);
    else lostError ??= host.failed(stream.lease, stream.connection, outcome.reason);
  });
  if (lostError !== undefined) throw lostError;
  merge.finish();
}

type Phase = 'first' | 'columns' | 'columns-eof' | 'rows' | 'done';

/** One target's response, taken packet by packet and told apart (column definitions, rows, end). */
class TargetStream implements PacketConsumer {
  readonly target: RouteTarget;
  readonly lease: Lease;
  readonly connection: BackendConnection;
  phase: Phase = 'first';
  columnCount = 0;
  readonly columns: Buffer[] = [];
  /** Rows waiting for this target's turn. */
  readonly queued: Buffer[] = [];
  /** The response's end: its OK fields or its error. */
  ok: { affectedRows: number | bigint; lastInsertId: number | bigint; statusFlags: number; warnings: number } | undefined;
  error: SqlError | undefined;
  paused = false;
  private merge: ConcatenateMerge | undefined;

  constructor(target: RouteTarget, lease: Lease, connection: BackendConnection) {
    this.target = target;
    this.lease = lease;
    this.connection = connection;
  }

  run(merge: ConcatenateMerge): Promise<RelayOutcome> {
    this.merge = merge;
    return new Promise((resolve, reject) => {
      this.connection.consume(framePayload(encodeComQuery(this.target.sql), 0).bytes, ResponseShape.RESULT_WITHOUT_LOCAL_INFILE, this, (error, outcome) => {
        if (outcome) resolve(outcome);
        else reject(error);
      });
    });
  }

  packet(payload: Buffer): boolean {
    const first = payload[0];
    switch (this.phase) {
      case 'first':
        if (first === 0xff) this.end(undefined, decodeErrPacket(payload));
        else if (first === 0x00) this.end(payload, undefined);
        else {
          this.columnCount = Number(new PayloadReader(payload).lengthEncodedInt());
          this.phase = 'columns';
        }
        break;
      case 'columns':
        this.columns.push(payload);
        if (this.columns.length === this.columnCount) this.phase = this.connection.deprecateEof ? 'rows' : 'columns-eof';
        break;
      case 'columns-eof':
        this.phase = 'rows';
        break;
      case 'rows':
        if (first === 0xff) this.end(undefined, decodeErrPacket(payload));
        else if (isEndOfStream(first, payload.length, this.connection.deprecateEof)) this.end(payload, undefined);
        else this.queued.push(payload);
        break;
      default:
        break;
    }
    this.merge!.progress();
    this.paused = this.queued.length >= QUEUED_PACKETS_PER_TARGET;
    return !this.paused;
  }

  /** Rows handed on: reading resumes if it had stopped. */
  drained(): void {
    if (this.paused && this.queued.length < QUEUED_PACKETS_PER_TARGET) {
      this.paused = false;
      this.connection.resume();
    }
  }

  private end(terminator: Buffer | undefined, error: SqlError | undefined): void {
    this.phase = 'done';
    this.error = error;
    if (!terminator) return;
    if (terminator[0] === 0xfe && terminator.length < 9 && !this.connection.deprecateEof) {
      const reader = new PayloadReader(terminator);
      reader.skip(1);
      const warnings = reader.u16();
      this.ok = { affectedRows: 0, lastInsertId: 0, warnings, statusFlags: reader.u16() };
      return;
    }
    const reader = new PayloadReader(terminator);
    reader.skip(1);
    const affectedRows = reader.lengthEncodedInt();
    const lastInsertId = reader.lengthEncodedInt();
    const statusFlags = reader.u16();
    this.ok = { affectedRows, lastInsertId, statusFlags, warnings: reader.u16() };
  }
}

/** Writes the targets' responses as one, in target order, as far as they have arrived. */
class ConcatenateMerge {
  private readonly streams: readonly TargetStream[];
  private readonly writer: ResultWriter;
  private current = 0;
  private headWritten = false;
  private failure: SqlError | undefined;
  private readonly statusFlags: number;

  constructor(streams: readonly TargetStream[], writer: ResultWriter, statusFlags: number) {
    this.streams = streams;
    this.writer = writer;
    this.statusFlags = statusFlags;
  }

  /** Called after every packet of any target: writes what can be written now. */
  progress(): void {
    if (this.failure) return;
    const failed = this.streams.find((stream) => stream.error);
    if (failed) {
      this.failure = failed.error;
      return;
    }
    const head = this.streams[0];
    if (!this.headWritten) {
      if (head.phase === 'first' || head.phase === 'columns') return;
      if (head.columnCount > 0) this.writer.columns(head.columns, { statusFlags: this.statusFlags });
      this.headWritten = true;
    }
    while (this.current < this.streams.length) {
      const stream = this.streams[this.current];
      if (stream.columnCount !== head.columnCount && stream.phase !== 'first') {
        this.failure = SqlError.of('ER_UNKNOWN_ERROR', `data node ${stream.target.node.name} answered with ${stream.columnCount} columns, ${head.target.node.name} with ${head.columnCount}`);
        return;
      }
      for (const row of stream.queued.splice(0)) this.writer.rawRow(row);
      stream.drained();
      if (stream.phase !== 'done') return;
      this.current++;
    }
  }

  /** Every target has ended: the end packet (or OK, or the error) of the whole. */
  finish(): void {
    this.progress();
    if (this.failure) {
      // An ERR may follow rows in place of the end packet, as a failing statement's would.
      this.writer.error(this.failure);
      return;
    }
    let affectedRows = 0n;
    let lastInsertId: number | bigint = 0;
    let warnings = 0;
    let statusFlags = 0;
    for (const stream of this.streams) {
      const ok = stream.ok!;
      affectedRows += BigInt(ok.affectedRows);
      if (lastInsertId === 0 && ok.lastInsertId !== 0) lastInsertId = ok.lastInsertId;
      warnings += ok.warnings;
      statusFlags |= ok.statusFlags;
    }
    const status = { statusFlags: statusFlags & ~ServerStatus.SERVER_MORE_RESULTS_EXISTS, warnings: Math.min(warnings, 0xffff) };
    if (this.streams[0].columnCount > 0) this.writer.end(status);
    else this.writer.ok({ ...status, affectedRows, lastInsertId });
  }
}
