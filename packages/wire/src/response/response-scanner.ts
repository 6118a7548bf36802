import { PayloadReader } from '../buffer/payload-reader.ts';
import { protocolViolation } from '../errors/cathode-error.ts';
import { ServerStatus } from '../constants/server-status.ts';
import { isEndOfStream } from '../messages/eof-packet.ts';
import { type StmtPrepareOk, decodeStmtPrepareOk } from '../messages/com-stmt-prepare.ts';
import { ResponseShape } from './response-shape.ts';

/** How many leading payload bytes the scanner needs to classify any packet (an OK's status flags lie within 21). */
export const PACKET_HEAD_LENGTH = 32;

const State = {
  FIRST: 0,
  COLUMNS: 1,
  COLUMNS_EOF: 2,
  ROWS: 3,
  LOCAL_INFILE: 4,
  PREPARE_PARAMS: 5,
  PREPARE_PARAMS_EOF: 6,
  PREPARE_COLUMNS: 7,
  PREPARE_COLUMNS_EOF: 8,
  DONE: 9,
} as const;
type State = (typeof State)[keyof typeof State];

/**
 * Follows one command's response packet by packet, from each packet's first bytes only, and says
 * when it has ended. It never needs row contents, so rows can stream through undecoded.
 */
export class ResponseScanner {
  readonly shape: ResponseShape;
  private readonly deprecateEof: boolean;
  /** MARIADB_CLIENT_CACHE_METADATA: a column count is followed by a byte saying whether column definitions follow. */
  private readonly cacheMetadata: boolean;
  private state: State;
  private remaining = 0;
  private prepareColumns = 0;
  /**
   * Status flags of the last OK/EOF seen: the session's transaction state after this response.
   * Undefined when the response carried none (an ERR, a PREPARE under CLIENT_DEPRECATE_EOF,
   * COM_STATISTICS): the state is then whatever it was before.
   */
  statusFlags: number | undefined;
  /** True once an ERR packet ended the response. */
  failed = false;
  /** Set when a prepare succeeded. */
  prepareOk: StmtPrepareOk | undefined;
  /** Affected rows and last insert id of the final OK packet (0 when the response ended otherwise). */
  affectedRows: number | bigint = 0;
  lastInsertId: number | bigint = 0;
  /** Rows of the last result set (-1 when the response had none): what FOUND_ROWS() and ROW_COUNT() report. */
  rows = -1;
  /** MARIADB_CLIENT_CACHE_METADATA: a result set came with its column definitions (metadata-follows byte 1). */
  metadataFollowed = false;

  constructor(shape: ResponseShape, deprecateEof: boolean, cacheMetadata = false) {
    this.shape = shape;
    this.deprecateEof = deprecateEof;
    this.cacheMetadata = cacheMetadata;
    this.state = shape === ResponseShape.ROWS ? State.ROWS : shape === ResponseShape.NONE ? State.DONE : State.FIRST;
    if (shape === ResponseShape.ROWS) this.rows = 0;
  }

  get done(): boolean {
    return this.state === State.DONE;
  }

  /** True after the server asked for a LOCAL INFILE file and before `localInfileSent()`. */
  get awaitingLocalInfile(): boolean {
    return this.state === State.LOCAL_INFILE;
  }

  /** The client's file data (ending with an empty packet) went to the server: an OK or ERR follows. */
  localInfileSent(): void {
    if (this.state === State.LOCAL_INFILE) this.state = State.FIRST;
  }

  /**
   * Feeds one logical packet: its first `min(length, PACKET_HEAD_LENGTH)` bytes (or more) and its
   * full payload length. Returns true when this packet ends the response.
   */
  packet(head: Buffer, length: number): boolean {
    return this.packetAt(head, 0, head.length, length);
  }

  /** `packet()` for a head that lies in `bytes` from `start` to `end`, so relays need not slice. */
  packetAt(bytes: Buffer, start: number, end: number, length: number): boolean {
    const first = length > 0 ? bytes[start] : -1;
    switch (this.state) {
      case State.FIRST:
        this.first(bytes, start, end, first, length);
        break;
      case State.COLUMNS:
        if (--this.remaining === 0) this.state = this.deprecateEof ? State.ROWS : State.COLUMNS_EOF;
        break;
      case State.COLUMNS_EOF:
        this.statusFlags = readTerminatorStatus(bytes, start, end, false);
        // An execute that opened a cursor sends no rows now; they come with COM_STMT_FETCH.
        this.state = this.statusFlags & ServerStatus.SERVER_STATUS_CURSOR_EXISTS ? State.DONE : State.ROWS;
        break;
      case State.ROWS:
        if (first === 0xff) this.fail();
        else if (isEndOfStream(first, length, this.deprecateEof)) this.endOfResultSet(readTerminatorStatus(bytes, start, end, this.deprecateEof));
        else this.rows++;
        break;
      case State.PREPARE_PARAMS:
        if (--this.remaining === 0) this.state = this.deprecateEof ? this.afterPrepareParams() : State.PREPARE_PARAMS_EOF;
        break;
      case State.PREPARE_PARAMS_EOF:
        this.statusFlags = readTerminatorStatus(bytes, start, end, false);
        this.state = this.afterPrepareParams();
        break;
      case State.PREPARE_COLUMNS:
        if (--this.remaining === 0) this.state = this.deprecateEof ? State.DONE : State.PREPARE_COLUMNS_EOF;
        break;
      case State.PREPARE_COLUMNS_EOF:
        this.statusFlags = readTerminatorStatus(bytes, start, end, false);
        this.state = State.DONE;
        break;
      default:
        break;
    }
    return this.state === State.DONE;
  }

  private first(bytes: Buffer, start: number, end: number, first: number, length: number): void {
    if (first === 0xff) return this.fail();
    switch (this.shape) {
      case ResponseShape.SINGLE:
        this.state = State.DONE;
        return;
      case ResponseShape.OK:
        this.statusFlags = readTerminatorStatus(bytes, start, end, first !== 0xfe || length > 5);
        this.state = State.DONE;
        return;
      case ResponseShape.FIELD_LIST:
        if (isEndOfStream(first, length, this.deprecateEof)) {
          this.statusFlags = readTerminatorStatus(bytes, start, end, this.deprecateEof);
          this.state = State.DONE;
        }
        return;
      case ResponseShape.PREPARE:
        return this.prepared(bytes.subarray(start, end));
      default:
        break;
    }
    if (first === 0x00) return this.endOfOk(bytes, start, end);
    if (first === 0xfb && this.shape === ResponseShape.RESULT) {
      this.state = State.LOCAL_INFILE;
      return;
    }
    if (first === 0xfb && this.shape === ResponseShape.RESULT_WITHOUT_LOCAL_INFILE) throw protocolViolation('the backend asked for a LOCAL INFILE file for a statement that is not LOAD DATA LOCAL');
    this.rows = 0;
    const afterCount = skipLengthEncodedInt(bytes, start, end);
    this.remaining = first < 0xfb ? first : Number(new PayloadReader(bytes, start, end).lengthEncodedInt());
    if (this.remaining === 0) this.state = State.ROWS;
    // Without column definitions (the client has them cached) the intermediate EOF still comes.
    else if (this.cacheMetadata && byteAt(bytes, afterCount, end) === 0) this.state = this.deprecateEof ? State.ROWS : State.COLUMNS_EOF;
    else {
      if (this.cacheMetadata) this.metadataFollowed = true;
      this.state = State.COLUMNS;
    }
  }

  private prepared(head: Buffer): void {
    this.prepareOk = decodeStmtPrepareOk(head);
    this.prepareColumns = this.prepareOk.columnCount;
    if (this.prepareOk.parameterCount > 0) {
      this.remaining = this.prepareOk.parameterCount;
      this.state = State.PREPARE_PARAMS;
    } else {
      this.state = this.afterPrepareParams();
    }
  }

  private afterPrepareParams(): State {
    if (this.prepareColumns === 0) return State.DONE;
    this.remaining = this.prepareColumns;
    return State.PREPARE_COLUMNS;
  }

  /** An OK ends a statement's results: its counts are the statement's (a result set before it had none). */
  private endOfOk(bytes: Buffer, start: number, end: number): void {
    const afterAffected = skipLengthEncodedInt(bytes, start + 1, end);
    this.affectedRows = readLengthEncodedInt(bytes, start + 1, afterAffected);
    this.lastInsertId = readLengthEncodedInt(bytes, afterAffected, skipLengthEncodedInt(bytes, afterAffected, end));
    this.rows = -1;
    this.endOfResultSet(readTerminatorStatus(bytes, start, end, true));
  }

  private endOfResultSet(statusFlags: number): void {
    this.statusFlags = statusFlags;
    this.state = statusFlags & ServerStatus.SERVER_MORE_RESULTS_EXISTS ? State.FIRST : State.DONE;
  }

  private fail(): void {
    this.failed = true;
    this.state = State.DONE;
  }
}

// Hand-rolled reads for the per-packet path (no reader object per packet); bounds as strict as PayloadReader's.

/** Status flags of an OK packet (`okFormat`: after affected rows and last insert id) or of an EOF packet (after warnings). */
function readTerminatorStatus(bytes: Buffer, start: number, end: number, okFormat: boolean): number {
  const at = okFormat ? skipLengthEncodedInt(bytes, skipLengthEncodedInt(bytes, start + 1, end), end) : start + 3;
  if (at + 2 > end) throw protocolViolation('truncated packet: no status flags');
  return bytes[at] | (bytes[at + 1] << 8);
}

/** The offset just past the length-encoded integer at `at`. */
function skipLengthEncodedInt(bytes: Buffer, at: number, end: number): number {
  const first = byteAt(bytes, at, end);
  const next = at + (first < 0xfb ? 1 : first === 0xfc ? 3 : first === 0xfd ? 4 : first === 0xfe ? 9 : 0);
  if (next === at) throw protocolViolation(`invalid length-encoded integer prefix 0x${first.toString(16)}`);
  if (next > end) throw protocolViolation('truncated packet: length-encoded integer');
  return next;
}

/** The length-encoded integer between `at` and `end` (as returned by skipLengthEncodedInt): a number when exact, else a bigint. */
function readLengthEncodedInt(bytes: Buffer, at: number, end: number): number | bigint {
  const first = bytes[at];
  if (first < 0xfb) return first;
  if (end - at < 9) {
    let value = 0;
    for (let i = end - 1; i > at; i--) value = value * 256 + bytes[i];
    return value;
  }
  const value = bytes.readBigUInt64LE(at + 1);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function byteAt(bytes: Buffer, at: number, end: number): number {
  if (at >= end) throw protocolViolation('truncated packet');
  return bytes[at];
}
