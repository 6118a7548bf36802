// Test-only helpers: build protocol bytes by hand, independently of the encoders under test.
// Not exported from index.ts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CathodeError } from '../errors/cathode-error.ts';

type Part = Uint8Array | readonly number[];

const toBuffer = (part: Part): Buffer => (Buffer.isBuffer(part) ? part : Buffer.from(part as Uint8Array));

/** Bytes from hex text; whitespace is ignored ('0a 00 ff'). */
export function hex(text: string): Buffer {
  const digits = text.replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(digits)) throw new TypeError(`bad hex: ${text}`);
  return Buffer.from(digits, 'hex');
}

/** Concatenates byte parts (Buffers, Uint8Arrays or arrays of byte values). */
export function cat(...parts: Part[]): Buffer {
  return Buffer.concat(parts.map(toBuffer));
}

/** UTF-8 bytes of `text`, no terminator. */
export function str(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** string<NUL>. */
export function nul(text: string): Buffer {
  return cat(str(text), [0]);
}

export function u16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16LE(value);
  return out;
}

export function u24(value: number): Buffer {
  const out = Buffer.alloc(3);
  out.writeUIntLE(value, 0, 3);
  return out;
}

export function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32LE(value);
  return out;
}

export function u64(value: bigint): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(value);
  return out;
}

/** int<lenenc>, written out by the protocol rules (not by PayloadWriter). */
export function lenenc(value: number | bigint): Buffer {
  const n = BigInt(value);
  if (n < 251n) return Buffer.of(Number(n));
  if (n < 0x10000n) return cat([0xfc], u16(Number(n)));
  if (n < 0x1000000n) return cat([0xfd], u24(Number(n)));
  return cat([0xfe], u64(n));
}

/** string<lenenc>. */
export function lenencStr(value: string | Uint8Array): Buffer {
  const bytes = typeof value === 'string' ? str(value) : Buffer.from(value);
  return cat(lenenc(bytes.length), bytes);
}

/** One physical packet: 3-byte length, sequence id, payload (the parts concatenated). */
export function packet(sequenceId: number, ...payloadParts: Part[]): Buffer {
  const payload = cat(...payloadParts);
  if (payload.length > 0xffffff) throw new RangeError('packet() builds one physical packet; split large payloads yourself');
  return cat(u24(payload.length), [sequenceId & 0xff], payload);
}

/**
 * Frames logical payloads as consecutive packets starting at `firstSequenceId`, splitting payloads
 * of 0xffffff bytes or more into full packets plus a (possibly empty) last packet.
 */
export function packets(firstSequenceId: number, ...payloads: Uint8Array[]): Buffer {
  const out: Buffer[] = [];
  let sequenceId = firstSequenceId;
  for (const payload of payloads) {
    let offset = 0;
    for (;;) {
      const length = Math.min(0xffffff, payload.length - offset);
      out.push(u24(length), Buffer.of(sequenceId & 0xff), Buffer.from(payload.subarray(offset, offset + length)));
      sequenceId++;
      offset += length;
      if (length < 0xffffff) break;
    }
  }
  return Buffer.concat(out);
}

/** Joins a sequence of packets into one stream. */
export function stream(...packets: Buffer[]): Buffer {
  return Buffer.concat(packets);
}

/**
 * Every way to deliver `bytes` in chunks that the tests care about: in one piece, split in two at
 * every position, and one byte at a time. Each chunk is a fresh copy (relays may patch in place).
 */
export function* splitEverywhere(bytes: Uint8Array): Generator<{ label: string; chunks: Buffer[] }> {
  yield { label: 'whole', chunks: [Buffer.from(bytes)] };
  for (let i = 1; i < bytes.length; i++) {
    yield { label: `split at ${i}`, chunks: [Buffer.from(bytes.subarray(0, i)), Buffer.from(bytes.subarray(i))] };
  }
  yield { label: 'byte by byte', chunks: bytesOneByOne(bytes) };
}

export function bytesOneByOne(bytes: Uint8Array): Buffer[] {
  return Array.from(bytes, (byte) => Buffer.of(byte));
}

/** `bytes` cut into copies of at most `size` bytes. */
export function chunksOf(bytes: Uint8Array, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(Buffer.from(bytes.subarray(i, i + size)));
  return out;
}

/** `bytes` cut at the given offsets (ascending), as copies. */
export function splitAt(bytes: Uint8Array, ...offsets: number[]): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (const offset of [...offsets, bytes.length]) {
    out.push(Buffer.from(bytes.subarray(start, offset)));
    start = offset;
  }
  return out;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Asserts that `fn` throws a CathodeError with `code` (and not, say, a RangeError). */
export function assertCathodeError(fn: () => unknown, code: string, message?: string): void {
  assert.throws(
    fn,
    (error: unknown) => {
      assert.ok(error instanceof CathodeError, `expected CathodeError ${code}, got ${String(error)}`);
      assert.equal(error.code, code);
      return true;
    },
    message,
  );
}

export const PROTOCOL_VIOLATION = 'CATHODE_PROTOCOL_VIOLATION';

/** Asserts that decoding every strict prefix of `payload` listed by `lengths` (default: all) is a protocol violation. */
export function assertTruncationsThrow(payload: Buffer, decode: (payload: Buffer) => unknown, lengths?: Iterable<number>): void {
  for (const length of lengths ?? Array.from({ length: payload.length }, (_, i) => i)) {
    assertCathodeError(() => decode(Buffer.from(payload.subarray(0, length))), PROTOCOL_VIOLATION, `prefix of ${length} of ${payload.length} bytes`);
  }
}

// ---- Response payloads, written out by the protocol rules ----------------------------------------

export interface OkFields {
  affectedRows?: number | bigint;
  lastInsertId?: number | bigint;
  status?: number;
  warnings?: number;
  info?: string;
}

/** OK_Packet payload (protocol 4.1, no session tracking); header 0x00, or 0xfe as an EOF replacement. */
export function okPayload(fields: OkFields = {}, header: 0x00 | 0xfe = 0x00): Buffer {
  return cat(
    [header],
    lenenc(fields.affectedRows ?? 0),
    lenenc(fields.lastInsertId ?? 0),
    u16(fields.status ?? 0),
    u16(fields.warnings ?? 0),
    str(fields.info ?? ''),
  );
}

/** EOF_Packet payload. */
export function eofPayload(status = 0, warnings = 0): Buffer {
  return cat([0xfe], u16(warnings), u16(status));
}

/** ERR_Packet payload with '#' + SQLSTATE. */
export function errPayload(errno: number, sqlState: string, message: string): Buffer {
  return cat([0xff], u16(errno), str('#'), str(sqlState), str(message));
}

export interface ColumnPayloadOptions {
  schema?: string;
  table?: string;
  orgTable?: string;
  orgName?: string;
  charset?: number;
  length?: number;
  flags?: number;
  decimals?: number;
  /** MariaDB extended metadata: the attribute block's bytes (without its length), written after org_name. */
  extended?: Uint8Array;
}

/** ColumnDefinition41 payload for a simple column. */
export function columnPayload(name: string, type = 0xfd, options: ColumnPayloadOptions = {}): Buffer {
  return cat(
    lenencStr('def'),
    lenencStr(options.schema ?? 'db'),
    lenencStr(options.table ?? 't'),
    lenencStr(options.orgTable ?? options.table ?? 't'),
    lenencStr(name),
    lenencStr(options.orgName ?? name),
    options.extended ? lenencStr(options.extended) : [],
    [0x0c],
    u16(options.charset ?? 45),
    u32(options.length ?? 80),
    [type],
    u16(options.flags ?? 0),
    [options.decimals ?? 0],
    [0, 0],
  );
}

/** A result set's column count; with MARIADB_CLIENT_CACHE_METADATA, followed by the metadata-follows byte. */
export function columnCountPayload(count: number, metadataFollows?: 0 | 1): Buffer {
  return cat(lenenc(count), metadataFollows === undefined ? [] : [metadataFollows]);
}

/** Text row payload; null is 0xfb. */
export function textRowPayload(...values: Array<string | Uint8Array | null>): Buffer {
  return cat(...values.map((value) => (value === null ? Buffer.of(0xfb) : lenencStr(value))));
}

/** COM_STMT_PREPARE_OK payload. */
export function prepareOkPayload(statementId: number, columns: number, params: number, warnings = 0): Buffer {
  return cat([0x00], u32(statementId), u16(columns), u16(params), [0x00], u16(warnings));
}
