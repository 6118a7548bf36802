import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';

/** A text-protocol row: each value a length-encoded string, or 0xfb for NULL. */
export type TextRow = Array<Buffer | null>;

const NULL_MARKER = 0xfb;

export function encodeTextRow(values: ReadonlyArray<string | Uint8Array | null>): Buffer {
  const writer = new PayloadWriter(64);
  for (const value of values) {
    if (value === null) writer.u8(NULL_MARKER);
    else if (typeof value === 'string') writer.lengthEncodedString(value);
    else writer.lengthEncodedBytes(value);
  }
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
