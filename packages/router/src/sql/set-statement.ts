import { K } from './keywords.ts';
import { setIn, SessionFunction } from './statement-analysis-result.ts';
import type { StatementReader } from './statement-reader.ts';
import { scanReferences } from './table-references.ts';
import { EXECUTABLE, Tok } from './token-list.ts';

/** Session variables only an administrator may set (they reach replication or the server's own behaviour). */
const ADMIN_VARIABLES = new Set([
  'sql_log_bin', 'sql_log_off', 'pseudo_thread_id', 'pseudo_slave_mode', 'gtid_domain_id', 'gtid_seq_no', 'server_id',
  'skip_replication', 'debug', 'debug_dbug', 'binlog_format', 'gtid_server_id',
]);

/** Session variables that act on the next statement only: the session must keep its connection. */
const ONE_SHOT_VARIABLES = new Set(['insert_id', 'last_insert_id', 'rand_seed1', 'rand_seed2']);

const GLOBAL_SCOPES = new Set<number>([K.GLOBAL, K.PERSIST, K.PERSIST_ONLY]);

/**
 * SET in all its forms, from the SET token at `from`. Returns the index of the inner statement of
 * `SET STATEMENT … FOR <statement>` (which the caller classifies), else undefined.
 */
export function classifySet(r: StatementReader, from: number, to: number): number | undefined {
  const first = r.kw(from + 1);
  const second = r.kw(from + 2);
  if (first === K.STATEMENT) return setStatement(r, from + 2, to);
  if (first === K.PASSWORD) {
    r.admin('SET PASSWORD');
    return undefined;
  }
  if (first === K.DEFAULT && second === K.ROLE) {
    r.admin('SET DEFAULT ROLE');
    return undefined;
  }
  if (first === K.ROLE) {
    r.pin('SET ROLE');
    return undefined;
  }
  for (let item = from + 1; item < to; ) {
    const end = r.endOfItem(item, to);
    assignment(r, item, end);
    item = end + 1;
  }
  return undefined;
}

/** `SET STATEMENT a = 1, b = 2 FOR <statement>`: the settings last one statement, so only their admin-ness counts. */
function setStatement(r: StatementReader, from: number, to: number): number | undefined {
  let depth = 0;
  let itemStart = from;
  for (let i = from; i < to; i++) {
    const kind = r.kind(i);
    if (kind === Tok.OPEN_PAREN) depth++;
    else if (kind === Tok.CLOSE_PAREN) depth--;
    else if (depth === 0 && (kind === Tok.COMMA || r.kw(i) === K.FOR)) {
      statementScopedAssignment(r, itemStart, i);
      itemStart = i + 1;
      if (kind !== Tok.COMMA) return i + 1 < to ? i + 1 : undefined;
    }
  }
  r.untracked('SET STATEMENT without FOR');
  return undefined;
}

function statementScopedAssignment(r: StatementReader, from: number, to: number): void {
  const target = variableTarget(r, from);
  if (target === undefined) return;
  if (target.global) r.admin('SET GLOBAL');
  else if (ADMIN_VARIABLES.has(target.name)) r.admin(`SET ${target.name}`);
  scanReferences(r, target.valueFrom, to, 0);
}

interface VariableTarget {
  name: string;
  global: boolean;
  structured: boolean;
  /** Index of the `=`/`:=` token, or -1. */
  operator: number;
  valueFrom: number;
}

/** `[GLOBAL|SESSION|LOCAL|PERSIST] name`, `@@[scope.]name[.component]`, `name.component`. */
function variableTarget(r: StatementReader, from: number): VariableTarget | undefined {
  let i = from;
  let global = false;
  const scope = r.kw(i);
  if (GLOBAL_SCOPES.has(scope) || scope === K.SESSION || scope === K.LOCAL) {
    global = GLOBAL_SCOPES.has(scope);
    i++;
  } else if (r.kind(i) === Tok.SYSTEM_VARIABLE) {
    i++;
    const inner = r.kw(i);
    if ((GLOBAL_SCOPES.has(inner) || inner === K.SESSION || inner === K.LOCAL) && r.kind(i + 1) === Tok.DOT) {
      global = GLOBAL_SCOPES.has(inner);
      i += 2;
    }
  }
  if (!r.isIdentifier(i)) return undefined;
  const name = r.name(i).toLowerCase();
  i++;
  let structured = false;
  while (r.kind(i) === Tok.DOT && r.isIdentifier(i + 1)) {
    structured = true;
    i += 2;
  }
  const kind = r.kind(i);
  const operator = kind === Tok.EQUALS || kind === Tok.ASSIGN ? i : -1;
  return { name, global, structured, operator, valueFrom: operator === -1 ? i : i + 1 };
}

function assignment(r: StatementReader, from: number, to: number): void {
  if (from >= to) return;
  const result = r.result;
  const first = r.kw(from);
  if (first === K.NAMES || first === K.CHARSET || (first === K.CHARACTER && r.kw(from + 1) === K.SET)) {
    names(r, from, to, first === K.CHARACTER ? from + 2 : from + 1);
    return;
  }
  if (first === K.TRANSACTION || r.kw(from + 1) === K.TRANSACTION) {
    if (GLOBAL_SCOPES.has(first)) r.admin('SET GLOBAL TRANSACTION');
    else r.pin('SET TRANSACTION');
    return;
  }
  if (r.kind(from) === Tok.USER_VARIABLE) {
    userVariable(r, from, to);
    return;
  }
  const target = variableTarget(r, from);
  if (target === undefined || target.operator === -1 || target.valueFrom >= to) {
    r.untracked('unrecognised SET');
    scanReferences(r, from, to, 0);
    return;
  }
  scanReferences(r, target.valueFrom, to, 0);
  if (target.global) {
    r.admin('SET GLOBAL');
    return;
  }
  const name = target.name;
  if (ADMIN_VARIABLES.has(name)) r.admin(`SET ${name}`);
  if (target.structured) {
    r.untracked('SET of a structured variable');
    return;
  }
  if (ONE_SHOT_VARIABLES.has(name)) {
    r.pin(`SET ${name}`);
    if (name === 'last_insert_id') result.sessionFunctions |= SessionFunction.LAST_INSERT_ID_SET;
    return;
  }
  const lexing = name === 'sql_mode' || name === 'character_set_client';
  const value = constantText(r, target.valueFrom, to);
  if (value === undefined) {
    r.pin(`SET ${name} to a computed value`);
    if (lexing) r.lexSettingsUnknown(`SET ${name} to a computed value`);
    return;
  }
  if (lexing && r.kw(target.valueFrom) === K.DEFAULT) r.lexSettingsUnknown(`SET ${name} = DEFAULT`);
  result.variables = setIn(result.variables, name, `@@session.${name} = ${value}`);
  if (name === 'sql_mode') result.sqlMode = constantValue(r, target.valueFrom, to);
  else if (name === 'character_set_client') result.namesCharset = constantValue(r, target.valueFrom, to)?.toLowerCase();
}

function userVariable(r: StatementReader, from: number, to: number): void {
  const operator = r.kind(from + 1);
  if ((operator !== Tok.EQUALS && operator !== Tok.ASSIGN) || from + 2 >= to) {
    r.untracked('unrecognised SET');
    return;
  }
  const value = constantText(r, from + 2, to);
  if (value === undefined) {
    r.pin('user variable');
    scanReferences(r, from + 2, to, 0);
    return;
  }
  const written = r.text(from, from);
  const key = (r.tokens.end[from] - r.tokens.start[from] > 1 && isQuote(r.sql[r.tokens.start[from] + 1]) ? unquoteVariable(r, from) : written.slice(1)).toLowerCase();
  r.result.userVariables = setIn(r.result.userVariables, key, `${written} = ${value}`);
}

const isQuote = (c: number) => c === 39 || c === 34 || c === 96;

function unquoteVariable(r: StatementReader, i: number): string {
  const text = r.text(i, i);
  const quote = text[1];
  const inner = text.endsWith(quote) && text.length > 2 ? text.slice(2, -1) : text.slice(2);
  return inner.split(quote + quote).join(quote);
}

/** SET NAMES x [COLLATE y] / CHARACTER SET x / CHARSET x: replayable text and the character set. */
function names(r: StatementReader, from: number, to: number, valueAt: number): void {
  for (let i = valueAt; i < to; i++) {
    const kind = r.kind(i);
    if (kind !== Tok.WORD && kind !== Tok.STRING && kind !== Tok.QUOTED_IDENTIFIER) {
      r.pin('complex SET NAMES');
      r.lexSettingsUnknown('SET NAMES to a computed value');
      return;
    }
  }
  const charset = r.nameOrString(valueAt);
  if (charset === undefined) {
    r.untracked('unrecognised SET NAMES');
    return;
  }
  r.result.names = joinTokens(r, from, to);
  r.result.namesCharset = charset.toLowerCase();
  if (r.result.namesCharset === 'default') r.lexSettingsUnknown('SET NAMES DEFAULT');
}

/**
 * The text of a constant value (a number, a string, a word such as ON or DEFAULT, a sign before a
 * number, an introducer before a string), tokens joined by spaces so no comment comes along; or
 * undefined when the value is computed.
 */
function constantText(r: StatementReader, from: number, to: number): string | undefined {
  const flags = r.tokens.flags[from] & EXECUTABLE;
  let i = from;
  while (i < to && r.kind(i) === Tok.OPERATOR && (r.byte(i) === 45 || r.byte(i) === 43) && r.tokens.end[i] - r.tokens.start[i] === 1) i++;
  const kind = r.kind(i);
  if (kind === Tok.NUMBER) {
    if (i + 1 !== to) return undefined;
  } else if (kind === Tok.WORD && i === from && i + 1 === to) {
    // ON, OFF, DEFAULT, an enum value.
  } else {
    if (kind === Tok.WORD && i === from && r.byte(i) === 95) i++; // _utf8mb4'…'
    if (r.kind(i) !== Tok.STRING) return undefined;
    while (i < to && r.kind(i) === Tok.STRING) i++;
    if (r.kw(i) === K.COLLATE && r.isIdentifier(i + 1)) i += 2;
    if (i !== to) return undefined;
  }
  for (let j = from; j < to; j++) if ((r.tokens.flags[j] & EXECUTABLE) !== flags) return undefined;
  return joinTokens(r, from, to);
}

function joinTokens(r: StatementReader, from: number, to: number): string {
  let text = r.text(from, from);
  for (let i = from + 1; i < to; i++) {
    const sign = r.kind(i - 1) === Tok.OPERATOR;
    text += (sign ? '' : ' ') + r.text(i, i);
  }
  return text;
}

/** The value of a constant as a plain string (a string unquoted, a word or number as written). */
function constantValue(r: StatementReader, from: number, to: number): string | undefined {
  if (to - from === 1) return r.kind(from) === Tok.STRING ? r.stringValue(from) : r.text(from, from);
  let value = '';
  for (let i = from; i < to; i++) {
    if (r.kind(i) !== Tok.STRING) continue;
    const part = r.stringValue(i);
    if (part === undefined) return undefined;
    value += part;
  }
  return value;
}
