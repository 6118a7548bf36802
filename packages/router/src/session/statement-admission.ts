import { SqlError } from '@cathode/wire';
import type { LexOptions } from '../sql/byte-lexer.ts';
import { lexFlagsOfSqlMode } from '../sql/sql-mode.ts';
import { analyzeStatement } from '../sql/statement-analysis.ts';
import type { StatementAnalysis } from '../sql/statement-analysis-result.ts';
import type { Lease } from './lease.ts';

/** Schemas every user may name: MariaDB filters what they show by the backend account's grants. */
const OPEN_SCHEMAS = new Set(['information_schema']);

/** What admission needs of its session. */
export interface AdmittingSession {
  readonly context: {
    /** Analysis off the reactor's thread, for texts longer than `offloadBytes`. */
    analyzeOffThread?(sql: Buffer, options: LexOptions): Promise<StatementAnalysis>;
    offloadBytes?: number;
    /** The backend's global sql_mode. */
    defaultSqlMode?: string;
  };
  readonly isAdmin: boolean;
  /** Throws 1044 for a schema the session's user may not use. */
  assertSchemaAllowed(schema: string): void;
  /** sql_mode and character_set_client as the lease's held connection has them now (the session takes its schema from there too). */
  readSessionSettings(lease: Lease): Promise<{ sqlMode: string; charset: string | undefined }>;
}

/**
 * The checks every statement passes, whether it comes as text or prepared, before any backend sees
 * it: administrative statements only for admin users, and no schema the user may not use. Owns how
 * the session's statements are lexed (client character set, sql_mode flags) as statements change it.
 */
export class StatementAdmission {
  private readonly session: AdmittingSession;
  private options: LexOptions;
  /** Set after a statement changed the lex settings in a way the analysis could not read: where to read them back. */
  private unknownOn: Lease | undefined;

  constructor(session: AdmittingSession, charset: string) {
    this.session = session;
    this.options = this.initial(charset);
  }

  /** The session starts over (login, change of user, reset) with this client character set. */
  reset(charset: string): void {
    this.options = this.initial(charset);
    this.unknownOn = undefined;
  }

  /**
   * The statement's analysis, once admitted. A text longer than `offloadBytes` is analysed off the
   * reactor's thread (a promise); any other here and now, so the per-statement path gains no promise.
   */
  admit(sql: Buffer): StatementAnalysis | Promise<StatementAnalysis> {
    if (this.unknownOn !== undefined) return this.readBack(this.unknownOn).then(() => this.admit(sql));
    const { analyzeOffThread, offloadBytes } = this.session.context;
    if (analyzeOffThread !== undefined && offloadBytes !== undefined && sql.length > offloadBytes) {
      return analyzeOffThread(sql, this.options).then((analysis) => this.admitted(analysis));
    }
    return this.admitted(analyzeStatement(sql, this.options));
  }

  /** After a statement ran on `lease`: what it did to how the next ones lex. */
  statementRan(analysis: StatementAnalysis, lease: Lease): void {
    if (analysis.namesCharset !== undefined) this.options = { ...this.options, charset: analysis.namesCharset };
    if (analysis.sqlMode !== undefined) {
      const sqlMode = analysis.sqlMode.toUpperCase() === 'DEFAULT' ? (this.session.context.defaultSqlMode ?? '') : analysis.sqlMode;
      this.options = { ...this.options, ...lexFlagsOfSqlMode(sqlMode) };
    }
    if (analysis.lexSettingsUnknown !== undefined) this.unknownOn = lease;
  }

  /** What the connection of `lease` has now is unknown (a multi-statement text failed part way): read it back before lexing on. */
  settingsUnknownOn(lease: Lease): void {
    this.unknownOn = lease;
  }

  private admitted(analysis: StatementAnalysis): StatementAnalysis {
    if (analysis.adminReason !== undefined && !this.session.isAdmin) throw SqlError.of('ER_SPECIFIC_ACCESS_DENIED_ERROR', `Cathode admin (${analysis.adminReason})`);
    if (analysis.schema !== undefined) this.session.assertSchemaAllowed(analysis.schema);
    for (const schema of analysis.schemasReferenced) if (!OPEN_SCHEMAS.has(schema.toLowerCase())) this.session.assertSchemaAllowed(schema);
    return analysis;
  }

  /**
   * A statement changed sql_mode or the character set in a way the lexer could not read (a computed
   * value, a procedure): read them where they now apply, before lexing anything else. A connection
   * not kept for the session is reset before anyone uses it, so the tracked settings hold.
   */
  private async readBack(lease: Lease): Promise<void> {
    this.unknownOn = undefined;
    if (!lease.pinned || !lease.heldConnection) return;
    const { sqlMode, charset } = await this.session.readSessionSettings(lease);
    this.options = { charset: charset ?? this.options.charset, ...lexFlagsOfSqlMode(sqlMode) };
  }

  /** The handshake's character set and the backend's global sql_mode. */
  private initial(charset: string): LexOptions {
    return { charset, ...lexFlagsOfSqlMode(this.session.context.defaultSqlMode ?? '') };
  }
}
