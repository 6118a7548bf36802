import type { BackendConnection, RelayOutcome } from '@cathode/backend';
import type { PacketHeadHook, ResponseShape } from '@cathode/wire';
import type { Lease } from '../session/lease.ts';
import type { SessionState } from '../session/session-state.ts';
import type { StatementAnalysis } from '../sql/statement-analysis-result.ts';

/**
 * What prepared statements need of their session: leases, relays and the bookkeeping after a
 * statement. An interface, so the statements module never reaches into the session's fields.
 */
export interface StatementSession {
  readonly state: SessionState;
  readonly statusFlags: number;
  readonly maxAllowedPacket: number;
  /** Cathode's id of the session (what CONNECTION_ID() returns). */
  readonly connectionId: number;
  /** The lease serving statements of the session's current schema (prepared statements route whole). */
  leaseForStatements(sql: Buffer): Lease;
  /** Refuses (throws) a statement the session's user may not run; returns what it does to session state (a promise only for a long text, analysed off the thread). */
  admit(sql: Buffer): StatementAnalysis | Promise<StatementAnalysis>;
  relayOn(lease: Lease, connection: BackendConnection, framedCommand: Buffer, shape: ResponseShape, onHead: PacketHeadHook | undefined, then: (outcome: RelayOutcome) => void, fail: (error: unknown) => void): void;
  relayed(lease: Lease, connection: BackendConnection, framedCommand: Buffer, shape: ResponseShape, onHead?: PacketHeadHook): Promise<RelayOutcome>;
  /**
   * Runs `statement` on `connection` once the session's LAST_INSERT_ID() / FOUND_ROWS() /
   * ROW_COUNT() hold there (at once when nothing needs doing), or answers `finish` with the error.
   */
  whenSessionFunctionsReady(lease: Lease, connection: BackendConnection, analysis: StatementAnalysis, statement: () => void, finish: (error: unknown) => void): void;
  /** After a statement succeeded or failed on `connection`: state tracking, outcomes, then the lease's checkin. */
  statementDone(lease: Lease, connection: BackendConnection, outcome: RelayOutcome, analysis: StatementAnalysis | undefined): void;
  /** After a command that is not a statement (prepare, reset, fetch). */
  checkin(lease: Lease, connection: BackendConnection, statusFlags: number | undefined): void;
  /** A command failed outside a relay: the error to answer with (the session may end). */
  failed(lease: Lease, connection: BackendConnection, error: unknown): unknown;
  writeOk(): void;
  /** One payload to the client, framed with the next sequence id. */
  writePacket(payload: Buffer): void;
}
