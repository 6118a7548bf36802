import { K } from './keywords.ts';
import type { StatementReader } from './statement-reader.ts';
import { Tok } from './token-list.ts';

/** SHOW statements about replication and other accounts: for admins. */
const ADMIN_SHOWS: ReadonlyArray<readonly number[]> = [
  [K.BINLOG, K.EVENTS],
  [K.RELAYLOG, K.EVENTS],
  [K.MASTER, K.STATUS],
  [K.MASTER, K.LOGS],
  [K.BINARY, K.LOGS],
  [K.SLAVE, K.STATUS],
  [K.REPLICA, K.STATUS],
  [K.ALL, K.SLAVES],
  [K.ALL, K.REPLICAS],
  [K.SLAVE, K.HOSTS],
  [K.REPLICA, K.HOSTS],
  [K.REPLICAS],
  [K.CREATE, K.USER],
];

/** Statements whose first FROM/IN names a table and the second its schema. */
const TABLE_FIRST = new Set<number>([K.COLUMNS, K.FIELDS, K.INDEX, K.INDEXES, K.KEYS]);

/**
 * SHOW, from the SHOW token at `from`: SHOW [FULL] PROCESSLIST (answered by Cathode), admin-only
 * forms, and the schemas SHOW reads by name (`SHOW TABLES FROM db`, `SHOW COLUMNS FROM t FROM db`,
 * `SHOW CREATE DATABASE db`; qualified names are found by the reference scan).
 */
export function classifyShow(r: StatementReader, from: number, to: number): void {
  let i = from + 1;
  const full = r.kw(i) === K.FULL;
  if (full || r.kw(i) === K.EXTENDED) i++;
  if (r.kw(i) === K.PROCESSLIST && i + 1 === to) {
    r.result.processList = { full };
    return;
  }
  for (const words of ADMIN_SHOWS) {
    if (words.every((word, k) => r.kw(i + k) === word)) r.admin(`SHOW ${words.map((_, k) => r.text(i + k, i + k).toUpperCase()).join(' ')}`);
  }
  if ((r.kw(i) === K.EXPLAIN || r.kw(i) === K.ANALYZE) && r.kw(i + 1) === K.FOR) r.admin(`SHOW ${r.upper(i)} FOR (a backend thread id)`);
  if (r.kw(i) === K.GRANTS && r.kw(i + 1) === K.FOR && r.kw(i + 2) !== K.CURRENT_USER) r.admin('SHOW GRANTS FOR another account');
  if (r.kw(i) === K.CREATE && (r.kw(i + 1) === K.DATABASE || r.kw(i + 1) === K.SCHEMA)) {
    let name = i + 2;
    if (r.kw(name) === K.IF) name += 3;
    if (r.isIdentifier(name)) r.schema(r.name(name));
    return;
  }
  let tableFirst = TABLE_FIRST.has(r.kw(i));
  for (let j = i; j < to; j++) {
    const keyword = r.kw(j);
    if (keyword === K.WHERE || keyword === K.LIKE) return;
    if (keyword !== K.FROM && keyword !== K.IN) continue;
    if (tableFirst) {
      tableFirst = false;
      continue;
    }
    if (r.isIdentifier(j + 1) && r.kind(j + 2) !== Tok.DOT) r.schema(r.name(j + 1));
  }
}
