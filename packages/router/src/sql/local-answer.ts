import { K } from './keywords.ts';
import type { LocallyAnsweredFunction, StatementAnalysis } from './statement-analysis-result.ts';
import type { StatementReader } from './statement-reader.ts';
import { Tok } from './token-list.ts';

const FUNCTIONS = new Map<number, LocallyAnsweredFunction>([
  [K.LAST_INSERT_ID, 'LAST_INSERT_ID'],
  [K.FOUND_ROWS, 'FOUND_ROWS'],
  [K.ROW_COUNT, 'ROW_COUNT'],
  [K.CONNECTION_ID, 'CONNECTION_ID'],
]);

/** Reserved words that cannot be a bare alias. */
const NOT_ALIASES = new Set<number>([K.FROM, K.LIMIT, K.INTO, K.WHERE, K.FOR, K.UNION, K.ORDER, K.GROUP, K.HAVING, K.PROCEDURE, K.LOCK, K.WINDOW]);

/**
 * `SELECT f() [[AS] alias] [FROM DUAL]` for a session function Cathode answers itself. The column
 * is named as MariaDB names it: the alias, else the expression exactly as the client wrote it.
 */
export function localAnswerOf(r: StatementReader, from: number, to: number): StatementAnalysis['localAnswer'] {
  if (r.kw(from) !== K.SELECT) return undefined;
  const fn = FUNCTIONS.get(r.kw(from + 1));
  if (fn === undefined || r.kind(from + 2) !== Tok.OPEN_PAREN || r.kind(from + 3) !== Tok.CLOSE_PAREN) return undefined;
  for (let i = from; i < to; i++) if (r.tokens.flags[i] !== 0) return undefined;
  let columnName = r.text(from + 1, from + 3);
  let i = from + 4;
  const as = r.kw(i) === K.AS;
  if (as) i++;
  const kind = r.kind(i);
  if (as || (i < to && r.kw(i) !== K.FROM)) {
    const alias = kind === Tok.WORD && NOT_ALIASES.has(r.kw(i)) ? undefined : r.nameOrString(i);
    if (alias === undefined) return undefined;
    columnName = alias;
    i++;
  }
  if (r.kw(i) === K.FROM && r.kw(i + 1) === K.DUAL) i += 2;
  return i === to ? { function: fn, columnName } : undefined;
}
