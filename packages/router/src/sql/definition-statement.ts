import { K, keywordText } from './keywords.ts';
import { appendTo } from './statement-analysis-result.ts';
import type { StatementReader } from './statement-reader.ts';
import { Tok } from './token-list.ts';

/** The statements that define things: CREATE, ALTER, DROP, RENAME (and LOAD, which also names a table). */

/** Objects of CREATE/ALTER/DROP/RENAME. */
const OBJECTS = new Set<number>([
  K.TABLE, K.DATABASE, K.SCHEMA, K.USER, K.ROLE, K.SERVER, K.FUNCTION, K.PROCEDURE, K.TRIGGER, K.EVENT, K.VIEW, K.INDEX,
  K.SEQUENCE, K.PACKAGE, K.PREPARE,
]);

/** Objects of CREATE/ALTER/DROP/RENAME that are accounts or servers: for admins. */
const ADMIN_OBJECTS = new Map<number, string>([[K.USER, 'USER'], [K.ROLE, 'ROLE'], [K.SERVER, 'SERVER']]);

/** LOAD DATA|XML [LOW_PRIORITY|CONCURRENT] [LOCAL] INFILE …; LOAD INDEX INTO CACHE. */
export function loadStatement(r: StatementReader, from: number, to: number): void {
  const what = r.kw(from + 1);
  if (what === K.INDEX) {
    r.admin('LOAD INDEX');
    return;
  }
  if (what !== K.DATA && what !== K.XML) {
    r.untracked(`statement LOAD ${r.upper(from + 1)}`);
    return;
  }
  for (let i = from + 2; i < to && i < from + 5; i++) {
    const keyword = r.kw(i);
    if (keyword === K.LOCAL) {
      r.result.localInfile = true;
      return;
    }
    if (keyword === K.INFILE) break;
  }
  r.admin('LOAD DATA INFILE (a server file)');
}

/** Index of the object keyword of CREATE/ALTER/DROP/RENAME (TABLE, USER, …), after OR REPLACE, DEFINER = …, TEMPORARY and the like. */
export function objectIndex(r: StatementReader, i: number, to: number): number {
  while (i < to) {
    const keyword = r.kw(i);
    if (SKIPPED_BEFORE_OBJECT.has(keyword)) {
      i++;
    } else if (keyword === K.DEFINER && r.kind(i + 1) === Tok.EQUALS) {
      i += 3;
      if (r.kind(i) === Tok.USER_VARIABLE) i++;
      else if (r.kind(i) === Tok.OPEN_PAREN && r.kind(i + 1) === Tok.CLOSE_PAREN) i += 2;
    } else if (keyword === K.ALGORITHM && r.kind(i + 1) === Tok.EQUALS) {
      i += 3;
    } else if (keyword === K.SQL && r.kw(i + 1) === K.SECURITY) {
      i += 3;
    } else {
      return i;
    }
  }
  return i;
}

const SKIPPED_BEFORE_OBJECT = new Set<number>([K.OR, K.REPLACE, K.TEMPORARY, K.AGGREGATE, K.ONLINE, K.OFFLINE, K.IGNORE, K.UNIQUE, K.FULLTEXT, K.SPATIAL]);

/** CREATE / ALTER / DROP / RENAME: accounts, databases, temporary tables, loadable functions. */
export function definition(r: StatementReader, verb: number, from: number, to: number): void {
  const i = objectIndex(r, from + 1, to);
  const temporary = r.kw(i - 1) === K.TEMPORARY;
  const object = r.kw(i);
  const adminObject = ADMIN_OBJECTS.get(object);
  if (adminObject !== undefined) {
    r.admin(`${keywordText(verb)} ${adminObject}`);
    return;
  }
  if (!OBJECTS.has(object)) {
    if (verb !== K.ALTER) r.untracked(`statement ${keywordText(verb)}`);
    return;
  }
  let name = i + 1;
  if (r.kw(name) === K.IF) name += r.kw(name + 1) === K.NOT ? 3 : 2;
  if (object === K.DATABASE || object === K.SCHEMA) {
    const namedByCharacteristic = verb === K.ALTER && (r.kw(name) === K.DEFAULT || r.kw(name) === K.CHARACTER || r.kw(name) === K.CHARSET || r.kw(name) === K.COLLATE);
    if (r.isIdentifier(name) && !namedByCharacteristic) r.schema(r.name(name));
    return;
  }
  if (object === K.FUNCTION && r.hasKeyword(K.SONAME, i, to)) r.admin('CREATE FUNCTION … SONAME');
  if (object === K.PREPARE) {
    r.pin('SQL prepared statement');
    return;
  }
  if (object !== K.TABLE) return;
  if (verb === K.CREATE && temporary) {
    const table = tableName(r, name);
    if (table !== undefined) r.result.temporaryTablesCreated = appendTo(r.result.temporaryTablesCreated, table);
    r.pin('temporary table');
  } else if (verb === K.DROP) {
    for (let j = name; j < to; ) {
      const table = tableName(r, j);
      if (table === undefined) break;
      r.result.temporaryTablesDropped = appendTo(r.result.temporaryTablesDropped, table);
      j += r.kind(j + 1) === Tok.DOT ? 3 : 1;
      if (r.kind(j) !== Tok.COMMA) break;
      j++;
    }
  }
}

/** `t` or `db.t` at i, as "t" / "db.t". */
function tableName(r: StatementReader, i: number): string | undefined {
  if (!r.isIdentifier(i)) return undefined;
  if (r.kind(i + 1) === Tok.DOT && r.isIdentifier(i + 2)) return `${r.name(i)}.${r.name(i + 2)}`;
  return r.name(i);
}
