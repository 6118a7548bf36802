/**
 * Multibyte characters of the client character sets whose trail bytes can look like ASCII
 * (backslash 0x5c, backquote 0x60 and letters fall into their trail ranges). MariaDB's lexer
 * consumes a lead byte and a valid trail byte as one character, so a 0x5c trail byte never
 * escapes the quote after it; Cathode's lexer must split the bytes the same way. Ranges follow
 * MariaDB's strings/ctype-{gbk,big5,sjis,cp932,gb18030}.c.
 *
 * Every other supported client character set (utf8mb3/utf8mb4, the EUC family, gb2312, latin*,
 * ascii, binary, ...) only uses bytes >= 0x80 inside multibyte characters, which can never be
 * taken for a quote, a backslash or a delimiter, so the lexer treats them byte by byte.
 */

/** Length of the multibyte character at `i` (2 or 4), or 0 when the byte there is a character on its own. */
export type MultibyteLength = (sql: Buffer, i: number, end: number) => number;

const inRange = (c: number, low: number, high: number) => c >= low && c <= high;

const gbk: MultibyteLength = (sql, i, end) =>
  i + 1 < end && inRange(sql[i], 0x81, 0xfe) && (inRange(sql[i + 1], 0x40, 0x7e) || inRange(sql[i + 1], 0x80, 0xfe)) ? 2 : 0;

const big5: MultibyteLength = (sql, i, end) =>
  i + 1 < end && inRange(sql[i], 0xa1, 0xf9) && (inRange(sql[i + 1], 0x40, 0x7e) || inRange(sql[i + 1], 0xa1, 0xfe)) ? 2 : 0;

/** sjis and cp932 share lead and trail ranges. */
const sjis: MultibyteLength = (sql, i, end) =>
  i + 1 < end &&
  (inRange(sql[i], 0x81, 0x9f) || inRange(sql[i], 0xe0, 0xfc)) &&
  (inRange(sql[i + 1], 0x40, 0x7e) || inRange(sql[i + 1], 0x80, 0xfc))
    ? 2
    : 0;

const gb18030: MultibyteLength = (sql, i, end) => {
  if (i + 1 >= end || !inRange(sql[i], 0x81, 0xfe)) return 0;
  const second = sql[i + 1];
  if (inRange(second, 0x40, 0x7e) || inRange(second, 0x80, 0xfe)) return 2;
  if (i + 3 < end && inRange(second, 0x30, 0x39) && inRange(sql[i + 2], 0x81, 0xfe) && inRange(sql[i + 3], 0x30, 0x39)) return 4;
  return 0;
};

const BY_CHARSET = new Map<string, MultibyteLength>([
  ['gbk', gbk],
  ['big5', big5],
  ['sjis', sjis],
  ['cp932', sjis],
  ['gb18030', gb18030],
]);

/** Lower case without allocating when the name already is (the usual case, on every statement). */
let lastName = '';
let lastLower = '';
function lower(name: string): string {
  if (name !== lastName) {
    lastName = name;
    lastLower = /[A-Z]/.test(name) ? name.toLowerCase() : name;
  }
  return lastLower;
}

/** The multibyte rule of a character set, or undefined when bytes can be lexed one by one. */
export function multibyteLengthOf(charset: string): MultibyteLength | undefined {
  return BY_CHARSET.get(lower(charset));
}

/**
 * The Node encoding Cathode decodes identifiers and SET value texts with, and must encode them
 * back with when it replays them: UTF-8 for the Unicode sets (and unknown ones), latin1 otherwise
 * (latin1 maps each byte to one code unit, so the bytes of gbk, sjis, ... text round-trip exactly).
 */
export function textEncodingOf(charset: string): 'utf8' | 'latin1' {
  return KNOWN_NON_UTF8.has(lower(charset)) ? 'latin1' : 'utf8';
}

const KNOWN_NON_UTF8 = new Set([
  'latin1', 'latin2', 'latin5', 'latin7', 'cp1250', 'cp1251', 'cp1256', 'cp1257', 'cp850', 'cp852', 'cp866', 'dec8', 'hp8',
  'koi8r', 'koi8u', 'swe7', 'greek', 'hebrew', 'armscii8', 'keybcs2', 'macce', 'macroman', 'geostd8', 'tis620', 'binary',
  'gbk', 'big5', 'sjis', 'cp932', 'gb2312', 'gb18030', 'euckr', 'ujis', 'eucjpms',
]);

/**
 * Single-byte character sets whose ctype table (MariaDB's sql/share/charsets/*.xml and
 * ctype-latin1.c) marks a byte >= 0x80 as white space: MariaDB's lexer skips it between tokens,
 * so `SHUTDOWN<0xA0>` is the keyword SHUTDOWN there, not one word.
 */
const NO_BREAK_SPACE_A0 = new Set(['latin1', 'latin2', 'latin5', 'latin7', 'cp1250', 'greek', 'hebrew', 'armscii8', 'dec8', 'geostd8', 'tis620']);
const NO_BREAK_SPACE_FF = new Set(['cp866', 'cp852', 'keybcs2']);

/** The byte >= 0x80 that the character set counts as white space, or -1. */
export function highByteSpaceOf(charset: string): number {
  const name = lower(charset);
  if (NO_BREAK_SPACE_A0.has(name)) return 0xa0;
  if (NO_BREAK_SPACE_FF.has(name)) return 0xff;
  return -1;
}
