/**
 * The words the statement analysis looks at, with small numeric ids so that a word token is
 * recognised from its bytes (case-insensitively) without building a string.
 */
const WORDS = [
  // statement starts
  'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'WITH', 'VALUES', 'TABLE', 'SHOW', 'DESCRIBE', 'DESC', 'EXPLAIN',
  'ANALYZE', 'BEGIN', 'START', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE', 'USE', 'SET', 'DO', 'CREATE', 'ALTER', 'DROP',
  'RENAME', 'TRUNCATE', 'LOCK', 'UNLOCK', 'KILL', 'XA', 'PREPARE', 'EXECUTE', 'DEALLOCATE', 'HANDLER', 'CHECK', 'CHECKSUM',
  'OPTIMIZE', 'REPAIR', 'FLUSH', 'GRANT', 'REVOKE', 'LOAD', 'HELP', 'CALL', 'SHUTDOWN', 'RESTART', 'RESET', 'PURGE', 'CHANGE',
  'STOP', 'BINLOG', 'INSTALL', 'UNINSTALL', 'CACHE', 'SIGNAL', 'RESIGNAL', 'GET', 'BACKUP',
  // compound statements
  'TRANSACTION', 'WORK', 'NOT', 'ATOMIC', 'END', 'IF', 'CASE', 'LOOP', 'WHILE', 'REPEAT', 'FOR', 'THEN', 'ELSE',
  // SET
  'SESSION', 'LOCAL', 'GLOBAL', 'PERSIST', 'PERSIST_ONLY', 'NAMES', 'CHARACTER', 'CHARSET', 'PASSWORD', 'ROLE', 'DEFAULT',
  'STATEMENT', 'COLLATE',
  // table references
  'FROM', 'JOIN', 'STRAIGHT_JOIN', 'INTO', 'TABLES', 'REFERENCES', 'LIKE', 'ON', 'USING', 'IN', 'TO', 'AS', 'WHERE', 'GROUP',
  'HAVING', 'ORDER', 'LIMIT', 'WINDOW', 'UNION', 'EXCEPT', 'INTERSECT', 'RETURNING', 'PARTITION', 'FORCE', 'IGNORE', 'INDEX',
  'KEY', 'READ', 'WRITE', 'LOW_PRIORITY', 'HIGH_PRIORITY', 'QUICK', 'DELAYED', 'INNER', 'LEFT', 'RIGHT', 'CROSS', 'NATURAL',
  'OUTER', 'FULL', 'OJ', 'LATERAL', 'VALUE', 'DUAL', 'NEW', 'OLD', 'LOW', 'OFFSET', 'FETCH', 'PROCEDURE', 'VIEW',
  // objects
  'DATABASE', 'SCHEMA', 'DATABASES', 'SCHEMAS', 'TEMPORARY', 'OR', 'EXISTS', 'USER', 'SERVER', 'FUNCTION', 'TRIGGER',
  'EVENT', 'SEQUENCE', 'PACKAGE', 'AGGREGATE', 'SONAME', 'PLUGIN', 'BODY',
  // files
  'OUTFILE', 'DUMPFILE', 'INFILE', 'DATA', 'XML', 'CONCURRENT',
  // KILL
  'QUERY', 'CONNECTION', 'HARD', 'SOFT', 'ID', 'CURRENT_USER',
  // SHOW
  'PROCESSLIST', 'COLUMNS', 'FIELDS', 'INDEXES', 'KEYS', 'STATUS', 'GRANTS', 'EVENTS', 'MASTER', 'SLAVE', 'REPLICA',
  'SLAVES', 'ALL', 'BINARY', 'LOGS', 'RELAYLOG', 'HOSTS', 'EXTENDED', 'FORMAT', 'PARTITIONS', 'OPEN', 'CLOSE', 'IMMEDIATE',
  'REPLICAS',
  // functions and modifiers
  'SQL_CALC_FOUND_ROWS', 'GET_LOCK', 'RELEASE_LOCK', 'RELEASE_ALL_LOCKS', 'LOAD_FILE', 'LAST_INSERT_ID', 'FOUND_ROWS',
  'ROW_COUNT', 'CONNECTION_ID', 'IS_USED_LOCK', 'CHAIN', 'NO',
  // definitions
  'DEFINER', 'ALGORITHM', 'SECURITY', 'SQL', 'UNIQUE', 'FULLTEXT', 'SPATIAL', 'ONLINE', 'OFFLINE', 'DETERMINISTIC', 'INVOKER',
  'ROW', 'EACH', 'REPLICATION',
] as const;

export type Keyword = (typeof WORDS)[number];

/** Keyword ids by name: `K.SELECT`; 0 means "not a keyword". */
export const K = Object.fromEntries(WORDS.map((word, index) => [word, index + 1])) as { readonly [W in Keyword]: number };

/** Upper-case text of a keyword id (interned: no allocation per statement). */
export function keywordText(id: number): string {
  return WORDS[id - 1];
}

const MAX_LENGTH = 24;

function hashFolded(bytes: ArrayLike<number>, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    let c = bytes[i];
    if (c >= 97 && c <= 122) c -= 32;
    hash = Math.imul(hash ^ c, 0x01000193);
  }
  return (hash ^ (end - start)) >>> 0;
}

/** Open addressing over the folded hash: slot -> keyword id (0 = empty). */
const SLOTS = new Uint16Array(1024);
const MASK = SLOTS.length - 1;
for (let id = 1; id <= WORDS.length; id++) {
  const bytes = Buffer.from(WORDS[id - 1], 'latin1');
  let slot = hashFolded(bytes, 0, bytes.length) & MASK;
  while (SLOTS[slot] !== 0) slot = (slot + 1) & MASK;
  SLOTS[slot] = id;
}

/** The keyword id of the word at sql[start, end), or 0. */
export function keywordAt(sql: Buffer, start: number, end: number): number {
  const length = end - start;
  if (length > MAX_LENGTH || length < 2) return 0;
  for (let slot = hashFolded(sql, start, end) & MASK; SLOTS[slot] !== 0; slot = (slot + 1) & MASK) {
    const id = SLOTS[slot];
    if (matches(WORDS[id - 1], sql, start, length)) return id;
  }
  return 0;
}

function matches(word: string, sql: Buffer, start: number, length: number): boolean {
  if (word.length !== length) return false;
  for (let i = 0; i < length; i++) {
    let c = sql[start + i];
    if (c >= 97 && c <= 122) c -= 32;
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
}
