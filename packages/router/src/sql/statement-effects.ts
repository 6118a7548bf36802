import { type Token, TokenKind } from './token.ts';
import { splitStatements, tokenize } from './lexer.ts';

/** What a statement does to session state, as far as routing must know. */
export interface StatementEffects {
  /** `USE db`. */
  schema: string | undefined;
  /** Session variable assignments to replay on other connections: name -> "name = expr" text. */
  variables: Map<string, string>;
  /** `SET NAMES ...` / `SET CHARACTER SET ...`, as replayable SET text. */
  names: string | undefined;
  /** Why this statement ties the session to its backend connection, if it does. */
  pinReason: string | undefined;
  /** `UNLOCK TABLES` ends a LOCK TABLES pin. */
  unlocksTables: boolean;
  /** `KILL [CONNECTION | QUERY] id`, answered by Cathode itself. */
  kill: { connectionId: number; queryOnly: boolean } | undefined;
}

const word = (token: Token | undefined, ...values: string[]) => token?.kind === TokenKind.WORD && values.includes(token.value);
const punct = (token: Token | undefined, text: string) => token?.kind === TokenKind.PUNCTUATION && token.text === text;

/** Functions whose effect outlives the statement on its connection. */
const PINNING_FUNCTIONS = new Set(['GET_LOCK', 'IS_USED_LOCK']);

export function statementEffects(sql: string): StatementEffects {
  const effects: StatementEffects = { schema: undefined, variables: new Map(), names: undefined, pinReason: undefined, unlocksTables: false, kill: undefined };
  const statements = splitStatements(tokenize(sql));
  for (const tokens of statements) classify(sql, tokens, effects);
  const changesState = effects.schema !== undefined || effects.variables.size > 0 || effects.names !== undefined || effects.unlocksTables;
  if (statements.length > 1 && changesState) effects.pinReason ??= 'multi-statement query changing session state';
  return effects;
}

function classify(sql: string, tokens: Token[], effects: StatementEffects): void {
  const [first, second, third] = tokens;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind === TokenKind.USER_VARIABLE) effects.pinReason ??= 'user variable';
    else if (token.kind === TokenKind.WORD && PINNING_FUNCTIONS.has(token.value) && punct(tokens[i + 1], '(')) effects.pinReason ??= token.value;
  }
  if (word(first, 'USE') && second) {
    effects.schema = second.kind === TokenKind.WORD ? second.text : second.value;
  } else if (word(first, 'SET')) {
    classifySet(sql, tokens.slice(1), effects);
  } else if (word(first, 'LOCK') && word(second, 'TABLES', 'TABLE')) {
    effects.pinReason ??= 'LOCK TABLES';
  } else if (word(first, 'FLUSH') && tokens.some((t) => word(t, 'LOCK'))) {
    effects.pinReason ??= 'FLUSH ... LOCK';
  } else if (word(first, 'UNLOCK') && word(second, 'TABLES', 'TABLE')) {
    effects.unlocksTables = true;
  } else if (word(first, 'CREATE') && (word(second, 'TEMPORARY') || (word(second, 'OR') && word(tokens[3], 'TEMPORARY')))) {
    effects.pinReason ??= 'temporary table';
  } else if (word(first, 'PREPARE', 'EXECUTE', 'DEALLOCATE')) {
    effects.pinReason ??= 'SQL prepared statement';
  } else if (word(first, 'XA')) {
    effects.pinReason ??= 'XA transaction';
  } else if (word(first, 'KILL')) {
    const queryOnly = word(second, 'QUERY');
    const idToken = word(second, 'QUERY', 'CONNECTION') ? third : second;
    if (idToken?.kind === TokenKind.NUMBER && /^\d+$/.test(idToken.text) && tokens.length === (idToken === third ? 3 : 2)) {
      effects.kill = { connectionId: Number(idToken.text), queryOnly };
    }
  }
}

/** Splits `SET a = 1, b = 2` at top-level commas. */
function assignments(tokens: Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const token of tokens) {
    if (punct(token, '(')) depth++;
    else if (punct(token, ')')) depth--;
    if (depth === 0 && punct(token, ',')) parts.push([]);
    else parts[parts.length - 1].push(token);
  }
  return parts.filter((part) => part.length > 0);
}

const SCOPE_WORDS = ['SESSION', 'LOCAL', 'GLOBAL', 'PERSIST', 'PERSIST_ONLY'];

function classifySet(sql: string, tokens: Token[], effects: StatementEffects): void {
  const [first] = tokens;
  if (word(first, 'NAMES') || word(first, 'CHARSET') || (word(first, 'CHARACTER') && word(tokens[1], 'SET'))) {
    if (tokens.some((t) => t.kind === TokenKind.SYSTEM_VARIABLE || t.kind === TokenKind.USER_VARIABLE || punct(t, ','))) {
      effects.pinReason ??= 'complex SET NAMES';
      return;
    }
    effects.names = sql.slice(first.start, tokens[tokens.length - 1].end);
    return;
  }
  if (word(first, 'TRANSACTION') || (word(first, 'SESSION') && word(tokens[1], 'TRANSACTION'))) {
    // Affects the next transaction (or all of them): keep the connection that holds it.
    effects.pinReason ??= 'SET TRANSACTION';
    return;
  }
  if (word(first, 'GLOBAL') || word(first, 'PERSIST', 'PERSIST_ONLY', 'PASSWORD', 'STATEMENT')) return;
  if (word(first, 'ROLE', 'DEFAULT')) {
    effects.pinReason ??= 'SET ROLE';
    return;
  }
  for (const part of assignments(tokens)) {
    let index = 0;
    let name: string | undefined;
    let global = false;
    if (word(part[0], ...SCOPE_WORDS)) {
      global = word(part[0], 'GLOBAL', 'PERSIST', 'PERSIST_ONLY');
      index = 1;
    }
    const target = part[index];
    if (!target) continue;
    if (target.kind === TokenKind.USER_VARIABLE) {
      effects.pinReason ??= 'user variable';
      continue;
    }
    if (target.kind === TokenKind.SYSTEM_VARIABLE) {
      const [scope, ...rest] = target.value.toLowerCase().split('.');
      if (rest.length > 0) {
        global = scope === 'global' || scope === 'persist';
        name = rest.join('.');
      } else {
        name = scope;
      }
    } else if (target.kind === TokenKind.WORD || target.kind === TokenKind.QUOTED_IDENTIFIER) {
      name = target.value.toLowerCase();
    }
    const operator = part[index + 1];
    const value = part.slice(index + 2);
    if (global) continue;
    if (!name || !operator || (operator.text !== '=' && operator.text !== ':=') || value.length === 0) {
      effects.pinReason ??= 'unrecognised SET';
      continue;
    }
    if (!isConstantExpression(value)) {
      effects.pinReason ??= `SET ${name} to a computed value`;
      continue;
    }
    effects.variables.set(name, `@@session.${name} = ${sql.slice(value[0].start, value[value.length - 1].end)}`);
  }
}

/** Literals, bare words (ON, OFF, DEFAULT, enum names) and signs: safe to replay elsewhere. */
function isConstantExpression(tokens: Token[]): boolean {
  return tokens.every(
    (token) =>
      token.kind === TokenKind.STRING ||
      token.kind === TokenKind.NUMBER ||
      (token.kind === TokenKind.WORD && !punctuationFollows(tokens, token)) ||
      (token.kind === TokenKind.OPERATOR && (token.text === '-' || token.text === '+')),
  );
}

function punctuationFollows(tokens: Token[], token: Token): boolean {
  const next = tokens[tokens.indexOf(token) + 1];
  return punct(next, '(') || punct(next, '.');
}
