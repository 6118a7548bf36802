import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';
import { ColumnFlags } from '../constants/column-type.ts';
import { type BinaryValue, readBinaryValue, writeBinaryValue } from './binary-value.ts';

/** A column's shape as far as binary rows need it. */
export interface BinaryColumn {
  type: number;
  flags: number;
}

/** Binary rows' NULL bitmap starts at bit 2; the first two bits are reserved. */
const ROW_NULL_BITMAP_OFFSET = 2;

export function encodeBinaryRow(columns: readonly BinaryColumn[], values: readonly BinaryValue[]): Buffer {
  const bitmap = Buffer.alloc(Math.floor((columns.length + 7 + ROW_NULL_BITMAP_OFFSET) / 8));
  const body = new PayloadWriter(64);
  columns.forEach((column, i) => {
    const value = values[i];
    if (value === null || value === undefined) {
      const bit = i + ROW_NULL_BITMAP_OFFSET;
      bitmap[bit >> 3] |= 1 << (bit & 7);
    } else {
      writeBinaryValue(body, column.type, value);
    }
  });
  return new PayloadWriter(bitmap.length + 64).u8(0x00).bytes(bitmap).bytes(body.toBuffer()).toBuffer();
}

export function decodeBinaryRow(payload: Buffer, columns: readonly BinaryColumn[]): BinaryValue[] {
  const reader = new PayloadReader(payload);
  reader.skip(1);
  const bitmap = reader.bytes(Math.floor((columns.length + 7 + ROW_NULL_BITMAP_OFFSET) / 8));
  return columns.map((column, i) => {
    const bit = i + ROW_NULL_BITMAP_OFFSET;
    if (bitmap[bit >> 3] & (1 << (bit & 7))) return null;
    return readBinaryValue(reader, column.type, (column.flags & ColumnFlags.UNSIGNED) !== 0);
  });
}
