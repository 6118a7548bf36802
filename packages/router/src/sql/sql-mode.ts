/** sql_mode values that include ANSI_QUOTES (the combination modes expand to it). */
const ANSI_QUOTES_MODES = new Set(['ANSI_QUOTES', 'ANSI', 'DB2', 'MAXDB', 'MSSQL', 'ORACLE', 'POSTGRESQL']);

// MariaDB's sql_mode bits, for the numeric form (`SET sql_mode = 4`).
const MODE_ANSI_QUOTES = 1 << 2;
const COMBINATIONS_WITH_ANSI_QUOTES = (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 18);
const MODE_NO_BACKSLASH_ESCAPES = 1 << 20;

/** The two sql_mode flags that change how SQL is lexed, from a sql_mode value (names, comma separated, or a number). */
export function lexFlagsOfSqlMode(sqlMode: string): { ansiQuotes: boolean; noBackslashEscapes: boolean } {
  const text = sqlMode.trim();
  if (/^\d+$/.test(text)) {
    const bits = Number(BigInt(text) & 0xffffffffn);
    return { ansiQuotes: (bits & (MODE_ANSI_QUOTES | COMBINATIONS_WITH_ANSI_QUOTES)) !== 0, noBackslashEscapes: (bits & MODE_NO_BACKSLASH_ESCAPES) !== 0 };
  }
  let ansiQuotes = false;
  let noBackslashEscapes = false;
  for (const part of text.split(',')) {
    const mode = part.trim().toUpperCase();
    if (ANSI_QUOTES_MODES.has(mode)) ansiQuotes = true;
    else if (mode === 'NO_BACKSLASH_ESCAPES') noBackslashEscapes = true;
  }
  return { ansiQuotes, noBackslashEscapes };
}
