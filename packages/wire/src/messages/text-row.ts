import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';
import { ColumnType } from '../constants/column-type.ts';

/** A text-protocol row: each value a length-encoded string, or 0xfb for NULL. */
export type TextRow = Array<Buffer | null>;

/** A value to write in a text row: text (UTF-8), bytes as they are, or a number formatted as MariaDB does. */
export type TextValue = string | Uint8Array | number | bigint | null;

/** What formatting a number needs to know of its column. */
export interface TextColumn {
  type: number;
  decimals?: number;
}

const NULL_MARKER = 0xfb;

/** MariaDB writes plain digits ('f' format) for decimal exponents in this range, else 'e' format. */
const MAX_DECIMAL_POINT_FOR_F_FORMAT = 15;
/** FLOAT values are written with at most this many significant digits (FLT_DIG). */
const FLOAT_DIGITS = 6;

/** The digits of `mantissaExponent` ('1.25e-7') and where the decimal point falls (-6 for 0.000000125). */
function digitsOf(mantissaExponent: string): { digits: string; pointAt: number } {
  const [mantissa, exponent] = mantissaExponent.split('e');
  return { digits: mantissa.replace('.', '').replace(/0+$/, '') || '0', pointAt: Number(exponent) + 1 };
}

function placeDecimalPoint(negative: boolean, digits: string, pointAt: number): string {
  const sign = negative ? '-' : '';
  const useFixed = pointAt > -MAX_DECIMAL_POINT_FOR_F_FORMAT && (pointAt <= MAX_DECIMAL_POINT_FOR_F_FORMAT || digits.length > pointAt);
  if (useFixed) {
    if (pointAt <= 0) return `${sign}0.${'0'.repeat(-pointAt)}${digits}`;
    if (pointAt < digits.length) return `${sign}${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
    return `${sign}${digits}${'0'.repeat(pointAt - digits.length)}`;
  }
  const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
  return `${sign}${digits[0]}${fraction}e${pointAt - 1}`;
}

function assertFinite(value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`MariaDB has no text form for ${value}`);
}

/** A DOUBLE as MariaDB writes it in text rows: the shortest digits that read back exactly, '1e16', '0.0000001', '5e-324'. */
export function formatDoubleText(value: number): string {
  assertFinite(value);
  if (value === 0) return '0';
  const { digits, pointAt } = digitsOf(Math.abs(value).toExponential());
  return placeDecimalPoint(value < 0, digits, pointAt);
}

/** A FLOAT as MariaDB writes it in text rows: at most 6 significant digits, trailing zeros dropped ('3.14'). */
export function formatFloatText(value: number): string {
  assertFinite(value);
  if (value === 0) return '0';
  const { digits, pointAt } = digitsOf(Math.abs(value).toExponential(FLOAT_DIGITS - 1));
  return placeDecimalPoint(value < 0, digits, pointAt);
}

function numberText(value: number, column: TextColumn | undefined): string {
  switch (column?.type) {
    case ColumnType.FLOAT:
      return formatFloatText(value);
    case ColumnType.DOUBLE:
      return formatDoubleText(value);
    case ColumnType.DECIMAL:
    case ColumnType.NEWDECIMAL:
      assertFinite(value);
      return value.toFixed(column.decimals ?? 0);
    default:
      return Number.isSafeInteger(value) ? String(value) : formatDoubleText(value);
  }
}

/**
 * Numbers are formatted for their column when `columns` is given (DOUBLE, FLOAT, DECIMAL with its
 * decimals); bigints and safe integers as plain digits. Pass exact values (DECIMAL) as text.
 */
export function encodeTextRow(values: ReadonlyArray<TextValue>, columns?: readonly TextColumn[]): Buffer {
  const writer = new PayloadWriter(64);
  values.forEach((value, i) => {
    if (value === null) writer.u8(NULL_MARKER);
    else if (typeof value === 'string') writer.lengthEncodedString(value);
    else if (typeof value === 'number') writer.lengthEncodedString(numberText(value, columns?.[i]));
    else if (typeof value === 'bigint') writer.lengthEncodedString(value.toString());
    else writer.lengthEncodedBytes(value);
  });
  return writer.toBuffer();
}

export function decodeTextRow(payload: Buffer, columnCount: number): TextRow {
  const reader = new PayloadReader(payload);
  const row: TextRow = [];
  for (let i = 0; i < columnCount; i++) {
    if (reader.peekU8() === NULL_MARKER) {
      reader.skip(1);
      row.push(null);
    } else {
      row.push(reader.lengthEncodedBytes());
    }
  }
  return row;
}
