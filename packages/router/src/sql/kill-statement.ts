import { K } from './keywords.ts';
import { appendTo, type KillStatement } from './statement-analysis-result.ts';
import type { StatementReader } from './statement-reader.ts';
import { Tok } from './token-list.ts';

/**
 * `KILL [HARD|SOFT] [CONNECTION|QUERY [ID]] n` and `KILL [HARD|SOFT] [CONNECTION|QUERY] USER u`,
 * from the KILL token at `from`. Ids are Cathode's own connection ids (answered by Cathode); KILL
 * USER reaches other accounts' threads and is for admins. A computed id (`KILL @x`, `KILL 1+1`)
 * cannot be mapped to a Cathode connection: it is refused for non-admins.
 */
export function classifyKill(r: StatementReader, from: number, to: number): void {
  let i = from + 1;
  let hard = true;
  if (r.kw(i) === K.HARD || r.kw(i) === K.SOFT) {
    hard = r.kw(i) === K.HARD;
    i++;
  }
  let queryOnly = false;
  let byQueryId = false;
  if (r.kw(i) === K.CONNECTION) {
    i++;
  } else if (r.kw(i) === K.QUERY) {
    queryOnly = true;
    i++;
    if (r.kw(i) === K.ID) {
      byQueryId = true;
      i++;
    }
  }
  let target: KillStatement['target'] | undefined;
  if (r.kw(i) === K.USER && !byQueryId) {
    target = killedUser(r, i + 1, to);
    r.admin('KILL USER');
  } else if (r.kind(i) === Tok.NUMBER && i + 1 === to && /^\d+$/.test(r.text(i, i))) {
    const id = BigInt(r.text(i, i));
    target = byQueryId ? { queryId: id } : { connectionId: id };
  }
  if (target === undefined) {
    r.admin('KILL of a computed id');
    return;
  }
  r.result.kills = appendTo(r.result.kills, { target, queryOnly, hard, statementIndex: r.statementIndex });
}

/** `'bob'@'%'`, `bob@localhost`, `bob`, CURRENT_USER[()]. */
function killedUser(r: StatementReader, i: number, to: number): KillStatement['target'] | undefined {
  if (i >= to) return undefined;
  if (r.kw(i) === K.CURRENT_USER) return { user: 'CURRENT_USER', host: undefined };
  const user = r.nameOrString(i);
  if (user === undefined) return undefined;
  let host: string | undefined;
  if (r.kind(i + 1) === Tok.USER_VARIABLE) {
    const text = r.text(i + 1, i + 1).slice(1);
    const quote = text[0];
    host = quote === "'" || quote === '"' || quote === '`' ? text.slice(1, text.endsWith(quote) && text.length > 1 ? -1 : undefined) : text;
  }
  return { user, host };
}
