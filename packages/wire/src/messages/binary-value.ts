import type { PayloadReader } from '../buffer/payload-reader.ts';
import type { PayloadWriter } from '../buffer/payload-writer.ts';
import { ColumnType } from '../constants/column-type.ts';
import { protocolViolation } from '../errors/cathode-error.ts';

/**
 * A value in the binary protocol (prepared statement parameters and binary rows). Temporal values
 * are kept as their canonical SQL text ('2024-01-02 03:04:05.000006', '-838:59:59'), strings and
 * decimals as raw bytes, because their character set belongs to the column, not to the codec.
 */
export type BinaryValue = null | number | bigint | Buffer | string;

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

function readDateTime(reader: PayloadReader, withTime: boolean): string {
  const length = reader.u8();
  if (length === 0) return withTime ? '0000-00-00 00:00:00' : '0000-00-00';
  if (length !== 4 && length !== 7 && length !== 11) throw protocolViolation(`invalid binary date length ${length}`);
  const date = `${pad(reader.u16(), 4)}-${pad(reader.u8())}-${pad(reader.u8())}`;
  let hour = 0, minute = 0, second = 0, micro = 0;
  if (length >= 7) [hour, minute, second] = [reader.u8(), reader.u8(), reader.u8()];
  if (length === 11) micro = reader.u32();
  if (!withTime) return date;
  return `${date} ${pad(hour)}:${pad(minute)}:${pad(second)}${micro ? `.${pad(micro, 6)}` : ''}`;
}

function readTime(reader: PayloadReader): string {
  const length = reader.u8();
  if (length === 0) return '00:00:00';
  if (length !== 8 && length !== 12) throw protocolViolation(`invalid binary time length ${length}`);
  const negative = reader.u8() === 1;
  const days = reader.u32();
  const hours = days * 24 + reader.u8();
  const minute = reader.u8();
  const second = reader.u8();
  const micro = length === 12 ? reader.u32() : 0;
  return `${negative ? '-' : ''}${pad(hours)}:${pad(minute)}:${pad(second)}${micro ? `.${pad(micro, 6)}` : ''}`;
}

export function readBinaryValue(reader: PayloadReader, type: number, unsigned: boolean): BinaryValue {
  switch (type) {
    case ColumnType.NULL:
      return null;
    case ColumnType.TINY: {
      const value = reader.u8();
      return unsigned ? value : (value << 24) >> 24;
    }
    case ColumnType.SHORT:
    case ColumnType.YEAR: {
      const value = reader.u16();
      return unsigned || type === ColumnType.YEAR ? value : (value << 16) >> 16;
    }
    case ColumnType.LONG:
    case ColumnType.INT24: {
      const value = reader.u32();
      return unsigned ? value : value | 0;
    }
    case ColumnType.LONGLONG: {
      const raw = reader.bytes(8);
      const value = unsigned ? raw.readBigUInt64LE(0) : raw.readBigInt64LE(0);
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
    }
    case ColumnType.FLOAT:
      return reader.bytes(4).readFloatLE(0);
    case ColumnType.DOUBLE:
      return reader.bytes(8).readDoubleLE(0);
    case ColumnType.DATE:
    case ColumnType.NEWDATE:
      return readDateTime(reader, false);
    case ColumnType.DATETIME:
    case ColumnType.TIMESTAMP:
    case ColumnType.DATETIME2:
    case ColumnType.TIMESTAMP2:
      return readDateTime(reader, true);
    case ColumnType.TIME:
    case ColumnType.TIME2:
      return readTime(reader);
    default:
      return Buffer.from(reader.lengthEncodedBytes());
  }
}

const DATE_TIME = /^(\d{1,4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,6}))?)?$/;
/** [-][D ]HHH:MM:SS[.ffffff], the hours unbounded (TIME spans -838:59:59 to 838:59:59). */
const TIME_OF_DAY = /^(-)?(?:(\d+) )?(\d+):(\d{1,2}):(\d{1,2})(?:\.(\d{1,6}))?$/;

const microseconds = (fraction: string | undefined): number => (fraction ? Number(fraction.padEnd(6, '0')) : 0);

function writeTime(writer: PayloadWriter, text: string): void {
  const match = TIME_OF_DAY.exec(text);
  if (!match) throw new TypeError(`not a TIME value: ${text}`);
  const hours = Number(match[2] ?? 0) * 24 + Number(match[3]);
  const micro = microseconds(match[6]);
  // Like MariaDB: the shortest length that holds the value (0 for a zero time, 8 without microseconds).
  if (!micro && !hours && !Number(match[4]) && !Number(match[5])) {
    writer.u8(0);
    return;
  }
  writer
    .u8(micro ? 12 : 8)
    .u8(match[1] ? 1 : 0)
    .u32(Math.floor(hours / 24))
    .u8(hours % 24)
    .u8(Number(match[4]))
    .u8(Number(match[5]));
  if (micro) writer.u32(micro);
}

function writeDateTime(writer: PayloadWriter, text: string): void {
  const match = DATE_TIME.exec(text);
  if (!match) throw new TypeError(`not a temporal value: ${text}`);
  const micro = microseconds(match[7]);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const [hour, minute, second] = [Number(match[4] ?? 0), Number(match[5] ?? 0), Number(match[6] ?? 0)];
  // Like MariaDB: the shortest length that holds the value (4 for midnight, 0 for the zero date).
  const length = micro ? 11 : hour || minute || second ? 7 : year || month || day ? 4 : 0;
  writer.u8(length);
  if (length === 0) return;
  writer.u16(year).u8(month).u8(day);
  if (length >= 7) writer.u8(hour).u8(minute).u8(second);
  if (micro) writer.u32(micro);
}

/** Writes a non-NULL value for `type`; the caller sets the NULL bitmap for nulls. */
export function writeBinaryValue(writer: PayloadWriter, type: number, value: Exclude<BinaryValue, null>): void {
  switch (type) {
    case ColumnType.TINY:
      writer.u8(Number(value) & 0xff);
      return;
    case ColumnType.SHORT:
    case ColumnType.YEAR:
      writer.u16(Number(value) & 0xffff);
      return;
    case ColumnType.LONG:
    case ColumnType.INT24:
      writer.u32(Number(value) >>> 0);
      return;
    case ColumnType.LONGLONG:
      writer.u64(BigInt.asUintN(64, BigInt(value as number | bigint)));
      return;
    case ColumnType.FLOAT: {
      const bytes = Buffer.allocUnsafe(4);
      bytes.writeFloatLE(Number(value));
      writer.bytes(bytes);
      return;
    }
    case ColumnType.DOUBLE: {
      const bytes = Buffer.allocUnsafe(8);
      bytes.writeDoubleLE(Number(value));
      writer.bytes(bytes);
      return;
    }
    case ColumnType.DATE:
    case ColumnType.NEWDATE:
    case ColumnType.DATETIME:
    case ColumnType.TIMESTAMP:
    case ColumnType.DATETIME2:
    case ColumnType.TIMESTAMP2:
      writeDateTime(writer, String(value));
      return;
    case ColumnType.TIME:
    case ColumnType.TIME2:
      writeTime(writer, String(value));
      return;
    case ColumnType.NULL:
      // A NULL-typed value has no bytes: readBinaryValue reads nothing for it.
      return;
    default:
      writer.lengthEncodedBytes(Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8'));
  }
}
