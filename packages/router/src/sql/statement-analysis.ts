import { ByteLexer, type LexOptions } from './byte-lexer.ts';
import { localAnswerOf } from './local-answer.ts';
import { multibyteLengthOf, textEncodingOf } from './multibyte-charsets.ts';
import { emptyAnalysis, type MutableAnalysis, type StatementAnalysis } from './statement-analysis-result.ts';
import { classifyStatement } from './statement-classifier.ts';
import { StatementReader } from './statement-reader.ts';
import { lexFlagsOfSqlMode } from './sql-mode.ts';
import { TokenList } from './token-list.ts';

/** Counts the work of analyses, for tests that check it grows linearly (and for the executor's report). */
export interface WorkMeter {
  /** Bytes lexed plus token reads. */
  steps: number;
  /** Tokens lexed. */
  tokens?: number;
}

/** SQL inside string literals (PREPARE … FROM '…') is analysed to this depth; deeper is refused as dynamic SQL. */
const MAX_NESTING = 3;

interface Workspace {
  lexer: ByteLexer;
  reader: StatementReader;
}

const EMPTY = Buffer.alloc(0);

function newWorkspace(): Workspace {
  const options: LexOptions = { charset: 'utf8mb4', ansiQuotes: false, noBackslashEscapes: false };
  return { lexer: new ByteLexer(EMPTY, options), reader: new StatementReader(EMPTY, new TokenList(), emptyAnalysis()) };
}

/** The lexer, reader and token arrays of the outermost analysis, reused from call to call (analysis is synchronous). */
let shared: Workspace | undefined = newWorkspace();

/**
 * Analyses a COM_QUERY text (the payload after the command byte, or a COM_STMT_PREPARE text) for
 * routing, session state and authorization, without decoding it: one linear pass of the lexer
 * and a bounded number of passes over each statement's tokens. Statements are lexed one at a time
 * so that a `SET NAMES` or `SET sql_mode` changes how the following ones are read, as in MariaDB.
 */
export function analyzeStatement(sql: Buffer, options: LexOptions, meter?: WorkMeter): StatementAnalysis {
  return analyze(sql, options, meter, 0);
}

function analyze(sql: Buffer, options: LexOptions, meter: WorkMeter | undefined, depth: number): StatementAnalysis {
  const result = emptyAnalysis();
  const workspace = shared ?? newWorkspace();
  const owned = workspace === shared;
  shared = undefined;
  const { lexer, reader } = workspace;
  const tokens = reader.tokens;
  lexer.reset(sql, options);
  reader.reset(sql, result);
  useOptions(reader, options);
  reader.nestingDepth = depth;
  reader.meter = meter;
  reader.nested = depth < MAX_NESTING ? nested : undefined;
  try {
    let kinds: string[] | undefined;
    let ranges: number[] | undefined;
    while (lexer.nextStatement(tokens)) {
      // After a change Cathode cannot see, the rest of the text may be lexed otherwise by MariaDB.
      if (result.lexSettingsUnknown !== undefined) result.adminReason ??= `statements after an unknown sql_mode or character set (${result.lexSettingsUnknown})`;
      const sqlMode = result.sqlMode;
      const charset = result.namesCharset;
      reader.from = 0;
      reader.to = tokens.count;
      if (meter?.tokens !== undefined) meter.tokens += tokens.count;
      reader.statementIndex = result.statementCount;
      const kind = classifyStatement(reader, lexer.compound);
      const start = tokens.start[0];
      const end = tokens.end[tokens.count - 1];
      if (kinds === undefined || ranges === undefined) {
        kinds = [kind];
        ranges = [start, end];
      } else {
        kinds.push(kind);
        ranges.push(start, end);
      }
      if (result.statementCount === 0 && !lexer.compound) result.localAnswer = localAnswerOf(reader, 0, tokens.count);
      result.statementCount++;
      if (result.sqlMode !== sqlMode || result.namesCharset !== charset) {
        // A version-gated comment may not have run on the backend.
        if (reader.versioned) result.lexSettingsUnknown ??= 'version-gated executable comment';
        relex(lexer, reader, result);
      }
    }
    if (result.statementCount !== 1) result.localAnswer = undefined;
    if (kinds !== undefined && ranges !== undefined) {
      result.kinds = kinds;
      result.statementRanges = ranges;
    }
  } finally {
    if (meter) meter.steps += lexer.steps + reader.reads;
    reader.reset(EMPTY, emptyResult);
    if (owned) shared = workspace;
  }
  return result;
}

/** Held by the idle reader, so that it keeps no caller's result alive. */
const emptyResult: MutableAnalysis = emptyAnalysis();

function useOptions(reader: StatementReader, options: LexOptions): void {
  reader.lexOptions = options;
  reader.encoding = textEncodingOf(options.charset);
  reader.backslashEscapes = !options.noBackslashEscapes;
  reader.multibyte = multibyteLengthOf(options.charset);
}

/** The statements after a SET NAMES / SET sql_mode are lexed with the new settings. */
function relex(lexer: ByteLexer, reader: StatementReader, result: StatementAnalysis): void {
  const flags = result.sqlMode !== undefined ? lexFlagsOfSqlMode(result.sqlMode) : reader.lexOptions;
  const options: LexOptions = {
    charset: result.namesCharset ?? reader.lexOptions.charset,
    ansiQuotes: flags.ansiQuotes,
    noBackslashEscapes: flags.noBackslashEscapes,
  };
  lexer.setOptions(options);
  useOptions(reader, options);
}

function nested(reader: StatementReader, sql: Buffer): StatementAnalysis {
  return analyze(sql, reader.lexOptions, reader.meter, reader.nestingDepth + 1);
}
