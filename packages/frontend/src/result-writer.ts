import {
  type BinaryValue,
  CapabilityFlags,
  Collation,
  type ColumnDefinition,
  MariaDbCapabilityFlags,
  PayloadWriter,
  ServerStatus,
  type TextValue,
  decodeColumnDefinition,
  encodeBinaryRow,
  encodeColumnDefinition,
  encodeEofPacket,
  encodeErrPacket,
  encodeOkPacket,
  encodeResultSetEnd,
  encodeTextRow,
  hasCapability,
} from '@cathode/wire';
import { type ResultColumn, columnDefinitionOf } from './result-column.ts';

/**
 * Where a ResultWriter's packets go: ClientConnection fits as it is. `writePacket` frames one
 * logical payload with the connection's next sequence id and splits payloads of 16 MiB - 1 or more
 * into several packets itself; it returns false when the socket wants a drain.
 */
export interface ResultTarget {
  writePacket(payload: Buffer): boolean;
  /** The CLIENT_* flags both sides agreed on. */
  readonly capabilityFlags: number;
}

export interface ResultWriterOptions {
  /** MariaDB extended capabilities agreed with the client (ClientIdentity.mariaDbCapabilities). */
  mariaDbCapabilities: number;
  /** Collation reported for text columns that name none: the session's character_set_results. Default utf8mb4_general_ci. */
  textCollation?: number;
}

export interface ColumnsOptions {
  /** Status flags for the EOF after the definitions (clients without CLIENT_DEPRECATE_EOF). */
  statusFlags: number;
  warnings?: number;
  /** A COM_STMT_EXECUTE result: rows go out in the binary protocol (binaryRow). */
  binary?: boolean;
  /**
   * With MARIADB_CLIENT_CACHE_METADATA, false skips the definitions of a binary result whose client
   * already holds them (from the prepare or an earlier execute). Ignored for clients without it.
   * Text results always carry them. Default true.
   */
  metadataFollows?: boolean;
}

export interface EndStatus {
  statusFlags: number;
  warnings?: number;
}

export interface OkStatus extends EndStatus {
  affectedRows?: number | bigint;
  lastInsertId?: number | bigint;
  info?: string;
  /** Raw session-state-change data (CLIENT_SESSION_TRACK with SERVER_SESSION_STATE_CHANGED). */
  sessionStateChanges?: Buffer;
}

type Phase = 'awaiting result' | 'text rows' | 'binary rows' | 'complete';

/**
 * Writes one command's response for the client's capabilities: result sets (column count,
 * definitions, text or binary rows, end packet), OK and ERR, one after another while
 * SERVER_MORE_RESULTS_EXISTS says more follow. One writer per command.
 */
export class ResultWriter {
  private readonly target: ResultTarget;
  private readonly deprecateEof: boolean;
  private readonly cacheMetadata: boolean;
  private readonly extendedMetadata: boolean;
  private readonly textCollation: number;
  private phase: Phase = 'awaiting result';
  private wroteAny = false;
  /** The current result set's columns, as given: raw backend definitions are decoded when a row needs their types. */
  private columnsGiven: ReadonlyArray<ResultColumn | Buffer> = [];
  private columnDefinitions: ColumnDefinition[] | undefined;

  constructor(target: ResultTarget, options: ResultWriterOptions) {
    this.target = target;
    this.deprecateEof = hasCapability(target.capabilityFlags, CapabilityFlags.CLIENT_DEPRECATE_EOF);
    this.cacheMetadata = hasCapability(options.mariaDbCapabilities, MariaDbCapabilityFlags.MARIADB_CLIENT_CACHE_METADATA);
    this.extendedMetadata = hasCapability(options.mariaDbCapabilities, MariaDbCapabilityFlags.MARIADB_CLIENT_EXTENDED_METADATA);
    this.textCollation = options.textCollation ?? Collation.utf8mb4_general_ci;
  }

  /** Whether any packet of this response went out: until then, a failure can still be answered with anything. */
  get started(): boolean {
    return this.wroteAny;
  }

  /**
   * The response has ended (OK, ERR, or a result set's end without SERVER_MORE_RESULTS_EXISTS). Until
   * then an ERR packet is still well-formed: before a result, or in place of a result set's end.
   */
  get complete(): boolean {
    return this.phase === 'complete';
  }

  /**
   * A result set's head: the column count (with the metadata-follows byte under
   * MARIADB_CLIENT_CACHE_METADATA), the definitions, and the EOF unless CLIENT_DEPRECATE_EOF.
   * Raw definitions (Buffers taken from a backend) go out as they are: they must come from a backend
   * connection of the client's flavor (extended metadata or not), as Cathode's pools are keyed.
   */
  columns(columns: ReadonlyArray<ResultColumn | Buffer>, options: ColumnsOptions): boolean {
    this.expect('awaiting result', 'columns');
    if (columns.length === 0) throw new RangeError('a result set has at least one column');
    const binary = options.binary ?? false;
    if (options.metadataFollows === false && !binary) throw new TypeError('text results always carry their column definitions');
    const withDefinitions = !this.cacheMetadata || options.metadataFollows !== false;
    const count = new PayloadWriter(10).lengthEncodedInt(columns.length);
    if (this.cacheMetadata) count.u8(withDefinitions ? 1 : 0);
    let writable = this.write(count.toBuffer());
    if (withDefinitions) {
      for (const column of columns) {
        const payload = Buffer.isBuffer(column) ? column : encodeColumnDefinition(columnDefinitionOf(column, this.textCollation), { extendedMetadata: this.extendedMetadata });
        writable = this.write(payload) && writable;
      }
    }
    if (!this.deprecateEof) writable = this.write(encodeEofPacket({ warnings: options.warnings ?? 0, statusFlags: options.statusFlags })) && writable;
    this.columnsGiven = columns;
    this.columnDefinitions = undefined;
    this.phase = binary ? 'binary rows' : 'text rows';
    return writable;
  }

  /** A text-protocol row; numbers are formatted for their column's type (see encodeTextRow). */
  textRow(values: readonly TextValue[]): boolean {
    this.expect('text rows', 'textRow');
    return this.write(encodeTextRow(values, this.definitionsFor(values.length)));
  }

  /** A binary-protocol row (0x00, the NULL bitmap at offset 2, each value encoded for its column's type). */
  binaryRow(values: readonly BinaryValue[]): boolean {
    this.expect('binary rows', 'binaryRow');
    return this.write(encodeBinaryRow(this.definitionsFor(values.length), values));
  }

  /** A row payload taken from a backend as it is (text or binary, as the result set is). */
  rawRow(payload: Buffer): boolean {
    if (this.phase !== 'text rows' && this.phase !== 'binary rows') this.expect('text rows', 'rawRow');
    return this.write(payload);
  }

  /** Ends the rows: EOF, or an OK with the 0xfe header under CLIENT_DEPRECATE_EOF. */
  end(status: EndStatus): boolean {
    if (this.phase !== 'text rows' && this.phase !== 'binary rows') this.expect('text rows', 'end');
    const writable = this.write(encodeResultSetEnd({ warnings: status.warnings ?? 0, statusFlags: status.statusFlags }, this.target.capabilityFlags));
    this.afterResult(status.statusFlags);
    return writable;
  }

  ok(ok: OkStatus): boolean {
    this.expect('awaiting result', 'ok');
    const payload = encodeOkPacket(
      {
        affectedRows: ok.affectedRows ?? 0,
        lastInsertId: ok.lastInsertId ?? 0,
        statusFlags: ok.statusFlags,
        warnings: ok.warnings ?? 0,
        info: ok.info ?? '',
        sessionStateChanges: ok.sessionStateChanges,
      },
      this.target.capabilityFlags,
    );
    const writable = this.write(payload);
    this.afterResult(ok.statusFlags);
    return writable;
  }

  /** An ERR packet: the whole response, or the end of a result set (or of a multi-result) that failed. */
  error(error: { errno: number; sqlState: string; message: string }): boolean {
    if (this.phase === 'complete') this.expect('awaiting result', 'error');
    this.phase = 'complete';
    return this.write(encodeErrPacket(error));
  }

  private write(payload: Buffer): boolean {
    this.wroteAny = true;
    return this.target.writePacket(payload);
  }

  private afterResult(statusFlags: number): void {
    this.phase = statusFlags & ServerStatus.SERVER_MORE_RESULTS_EXISTS ? 'awaiting result' : 'complete';
  }

  private definitionsFor(valueCount: number): ColumnDefinition[] {
    if (valueCount !== this.columnsGiven.length) throw new RangeError(`a row of ${valueCount} values for ${this.columnsGiven.length} columns`);
    this.columnDefinitions ??= this.columnsGiven.map((column) =>
      Buffer.isBuffer(column) ? decodeColumnDefinition(column, { extendedMetadata: this.extendedMetadata }) : columnDefinitionOf(column, this.textCollation),
    );
    return this.columnDefinitions;
  }

  private expect(phase: Phase, call: string): void {
    if (this.phase !== phase) throw new Error(`ResultWriter.${call}() while ${this.phase}`);
  }
}

/** A one-row, one-column answer, such as `SELECT LAST_INSERT_ID()` answered from session state. */
export function writeSingleValue(
  writer: ResultWriter,
  column: ResultColumn,
  value: TextValue & BinaryValue,
  status: EndStatus,
  options: Pick<ColumnsOptions, 'binary' | 'metadataFollows'> = {},
): boolean {
  const binary = options.binary ?? false;
  let writable = writer.columns([column], { statusFlags: status.statusFlags, warnings: status.warnings, binary, metadataFollows: options.metadataFollows });
  writable = (binary ? writer.binaryRow([value]) : writer.textRow([value])) && writable;
  return writer.end(status) && writable;
}
