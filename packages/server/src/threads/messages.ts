import type net from 'node:net';
import { Packr } from 'msgpackr';
import type { CathodeConfig } from '@cathode/config';
import type { KillResult, LexOptions, ProcessListRequest, ProcessRow } from '@cathode/router';
import type { ServerAccountRecord } from '@cathode/frontend';

/**
 * Every message that crosses a thread boundary, in one place. Each is a plain object with a
 * `type`, encoded with msgpackr; a client socket travels beside the encoded bytes in the
 * transfer list, never inside them.
 */
/** What a listener's connections are served as; each reactor has a session handler per kind. */
export type SessionKind = 'proxy';

export type MainToReactor =
  | { type: 'adopt-session'; connectionId: number; kind: SessionKind }
  | { type: 'backend-health'; backend: string; healthy: boolean }
  | { type: 'sweep-idle'; clientIdleMs: number; backendIdleMs: number }
  | { type: 'kill'; requestId: number; connectionId: number; queryOnly: boolean; username: string }
  | { type: 'kill-result'; requestId: number; result: KillResult }
  /** SHOW PROCESSLIST on another reactor: this reactor's sessions, please (answered with 'processlist-rows'). */
  | { type: 'processlist-collect'; requestId: number; request: ProcessListRequest }
  /** The other reactors' sessions for a 'processlist-request' (those that answered in time). */
  | { type: 'processlist-result'; requestId: number; rows: ProcessRow[] }
  | { type: 'password-verified'; user: string; digest: Uint8Array }
  /** The backend's accounts as one reactor just read them: the others adopt them. */
  | { type: 'server-accounts'; records: ServerAccountRecord[] }
  | { type: 'drain' };

export type ReactorToMain =
  | { type: 'ready' }
  | { type: 'session-closed'; connectionId: number }
  | { type: 'kill-remote'; requestId: number; connectionId: number; queryOnly: boolean; username: string }
  | { type: 'kill-result'; requestId: number; result: KillResult }
  /** SHOW PROCESSLIST: the other reactors' sessions, please. */
  | { type: 'processlist-request'; requestId: number; request: ProcessListRequest }
  | { type: 'processlist-rows'; requestId: number; rows: ProcessRow[] }
  /** A caching_sha2_password full authentication succeeded: every reactor's fast path should know. */
  | { type: 'password-verified'; user: string; digest: Uint8Array }
  | { type: 'server-accounts'; records: ServerAccountRecord[] }
  | { type: 'drained' }
  /** A client login failed (bad credentials or a malformed handshake) or succeeded: the main thread counts per host (security.maxConnectErrors). */
  | { type: 'login-failed'; host: string }
  | { type: 'login-succeeded'; host: string };

export type TimerToMain =
  | { type: 'backend-health'; backend: string; healthy: boolean; error?: string }
  | { type: 'sweep-idle'; clientIdleMs: number; backendIdleMs: number };

export type MainToTimer = { type: 'stop' };

/**
 * Work for a reactor's executor pool (executor/executor.ts). Tasks and results go through
 * Piscina's own channel, a structured clone that shares or transfers memory: no msgpackr copy of
 * a 16 MiB statement text.
 */
export type ExecutorTask = {
  kind: 'analyze-statement';
  /** The statement text, copied once into memory the executor thread shares. */
  sql: SharedArrayBuffer;
  options: LexOptions;
  /** Tests only: the BroadcastChannel where the task waits before analysing (executor/executor-gate.ts). */
  gate: string | undefined;
};

/** What an 'analyze-statement' task returns: the StatementAnalysis, msgpackr-encoded (executor/statement-analysis-codec.ts) and transferred. */
export type AnalyzeStatementResult = Uint8Array;

/** What actually goes through postMessage. */
export interface Envelope {
  bytes: Uint8Array;
  socket?: net.Socket;
}

const packr = new Packr({ useRecords: false, moreTypes: false });

export function encode(message: MainToReactor | ReactorToMain | TimerToMain | MainToTimer, socket?: net.Socket): Envelope {
  return socket ? { bytes: packr.pack(message), socket } : { bytes: packr.pack(message) };
}

export function decode<T>(envelope: Envelope): T {
  return packr.unpack(envelope.bytes) as T;
}

/** What the main thread learned from the backend at start-up, shared with every reactor. */
export interface BackendProbe {
  serverVersion: string;
  capabilityFlags: number;
  characterSet: number;
  /** MariaDB's extended capabilities (0 for MySQL). */
  mariaDbCapabilities: number;
  /** [id, character set, collation] rows of information_schema.COLLATIONS. */
  collations: Array<[number, string, string]>;
  /** @@global.sql_mode: how a new session's statements are lexed (ANSI_QUOTES, NO_BACKSLASH_ESCAPES). */
  sqlMode: string;
}

/** A worker's start-up data (workerData), encoded like every other message. */
export type WorkerInit =
  | {
      type: 'reactor-init';
      index: number;
      config: CathodeConfig;
      probe: BackendProbe;
      rsaKeys: { privateKey: string; publicKey: string };
      /** The tls files' PEM text, read and checked once by the main thread. */
      tls?: { cert: string; key: string };
      /** Tests only: executor tasks wait at this gate (executor/executor-gate.ts). */
      executorGate?: string;
    }
  | { type: 'timer-init'; config: CathodeConfig };

export function encodeInit(init: WorkerInit): Uint8Array {
  return packr.pack(init);
}

export function decodeInit<T extends WorkerInit>(bytes: Uint8Array): T {
  return packr.unpack(bytes) as T;
}
