// Turns config file text into plain data. Syntax errors become ConfigErrors
// with a line number, but never quote the offending source: the line could
// be `password: ...`.
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from './config-error.ts';
import type { ConfigIssue } from './config-error.ts';

/** Parses `.json` files as JSON and everything else as YAML. */
export function parseConfigText(text: string, file: string): unknown {
  // Editors on Windows like to prepend a byte-order mark; JSON.parse rejects it.
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (source.trim() === '') throw emptyFileError(file);
  return extname(file).toLowerCase() === '.json' ? parseJson(source, file) : parseYaml(source, file);
}

function parseYaml(source: string, file: string): unknown {
  // prettyErrors would append the offending source line to each message.
  const document = parseDocument(source, { prettyErrors: false });
  if (document.errors.length > 0) {
    throw new ConfigError(file, document.errors.map((error) => syntaxIssue('YAML', error.message, source, error.pos[0])));
  }
  // A file of only comments has no contents.
  if (document.contents === null) throw emptyFileError(file);
  try {
    return document.toJS();
  } catch (error) {
    // toJS() throws when aliases expand too far (a "billion laughs" file).
    throw new ConfigError(file, [{ path: '', message: `YAML error: ${(error as Error).message}` }]);
  }
}

function parseJson(source: string, file: string): unknown {
  try {
    return JSON.parse(source);
  } catch (error) {
    const message = (error as Error).message;
    // V8 reports "... in JSON at position N (line L column C)" for most errors.
    const located = /^(.*) in JSON at position (\d+)/s.exec(message);
    if (located) throw new ConfigError(file, [syntaxIssue('JSON', located[1], source, Number(located[2]))]);
    if (message === 'Unexpected end of JSON input') {
      throw new ConfigError(file, [syntaxIssue('JSON', 'unexpected end of input', source, source.trimEnd().length)]);
    }
    // "Unexpected token 'x', "<source excerpt>" is not valid JSON": drop the excerpt.
    const reason = /is not valid JSON$/.test(message) ? 'unexpected token' : message;
    throw new ConfigError(file, [{ path: '', message: `JSON syntax error: ${reason}` }]);
  }
}

function emptyFileError(file: string): ConfigError {
  return new ConfigError(file, [{ path: '', message: 'the file is empty; expected at least "users" and "backends"' }]);
}

function syntaxIssue(language: string, reason: string, source: string, offset: number): ConfigIssue {
  const { line, column } = lineAndColumn(source, offset);
  return { path: '', message: `${language} syntax error at line ${line}, column ${column}: ${reason}` };
}

/** 1-based line and column of a character offset. */
function lineAndColumn(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}
