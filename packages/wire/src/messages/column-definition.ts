import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';

/** Protocol::ColumnDefinition41. */
export interface ColumnDefinition {
  catalog?: string;
  schema: string;
  table: string;
  orgTable: string;
  name: string;
  orgName: string;
  characterSet: number;
  columnLength: number;
  type: number;
  flags: number;
  decimals: number;
}

export function encodeColumnDefinition(column: ColumnDefinition): Buffer {
  return new PayloadWriter(64)
    .lengthEncodedString(column.catalog ?? 'def')
    .lengthEncodedString(column.schema)
    .lengthEncodedString(column.table)
    .lengthEncodedString(column.orgTable)
    .lengthEncodedString(column.name)
    .lengthEncodedString(column.orgName)
    .lengthEncodedInt(0x0c)
    .u16(column.characterSet)
    .u32(column.columnLength)
    .u8(column.type)
    .u16(column.flags)
    .u8(column.decimals)
    .zeros(2)
    .toBuffer();
}

export function decodeColumnDefinition(payload: Buffer): ColumnDefinition {
  const reader = new PayloadReader(payload);
  const catalog = reader.lengthEncodedString();
  const schema = reader.lengthEncodedString();
  const table = reader.lengthEncodedString();
  const orgTable = reader.lengthEncodedString();
  const name = reader.lengthEncodedString();
  const orgName = reader.lengthEncodedString();
  reader.lengthEncodedInt();
  return {
    catalog,
    schema,
    table,
    orgTable,
    name,
    orgName,
    characterSet: reader.u16(),
    columnLength: reader.u32(),
    type: reader.u8(),
    flags: reader.u16(),
    decimals: reader.u8(),
  };
}
