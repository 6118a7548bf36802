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
  /** MariaDB extended metadata: the real type behind the protocol type ('inet6', 'uuid', 'point'). */
  extendedTypeName?: string;
  /** MariaDB extended metadata: the format of the value ('json' for a JSON column sent as a string). */
  extendedFormat?: string;
}

export interface ColumnDefinitionOptions {
  /** MARIADB_CLIENT_EXTENDED_METADATA was negotiated: a length-encoded attribute block follows org_name. */
  extendedMetadata?: boolean;
}

// Keys of the attributes inside MariaDB's extended metadata block.
const EXTENDED_TYPE_NAME = 0x00;
const EXTENDED_FORMAT = 0x01;

function extendedMetadataBlock(column: ColumnDefinition): Buffer {
  const block = new PayloadWriter(16);
  if (column.extendedTypeName !== undefined) block.u8(EXTENDED_TYPE_NAME).lengthEncodedString(column.extendedTypeName);
  if (column.extendedFormat !== undefined) block.u8(EXTENDED_FORMAT).lengthEncodedString(column.extendedFormat);
  return block.toBuffer();
}

export function encodeColumnDefinition(column: ColumnDefinition, options: ColumnDefinitionOptions = {}): Buffer {
  const writer = new PayloadWriter(64)
    .lengthEncodedString(column.catalog ?? 'def')
    .lengthEncodedString(column.schema)
    .lengthEncodedString(column.table)
    .lengthEncodedString(column.orgTable)
    .lengthEncodedString(column.name)
    .lengthEncodedString(column.orgName);
  if (options.extendedMetadata) writer.lengthEncodedBytes(extendedMetadataBlock(column));
  return writer
    .lengthEncodedInt(0x0c)
    .u16(column.characterSet)
    .u32(column.columnLength)
    .u8(column.type)
    .u16(column.flags)
    .u8(column.decimals)
    .zeros(2)
    .toBuffer();
}

function readExtendedMetadata(block: Buffer, into: ColumnDefinition): void {
  const reader = new PayloadReader(block);
  while (reader.remaining > 0) {
    const key = reader.u8();
    const value = reader.lengthEncodedString();
    if (key === EXTENDED_TYPE_NAME) into.extendedTypeName = value;
    else if (key === EXTENDED_FORMAT) into.extendedFormat = value;
  }
}

export function decodeColumnDefinition(payload: Buffer, options: ColumnDefinitionOptions = {}): ColumnDefinition {
  const reader = new PayloadReader(payload);
  const catalog = reader.lengthEncodedString();
  const schema = reader.lengthEncodedString();
  const table = reader.lengthEncodedString();
  const orgTable = reader.lengthEncodedString();
  const name = reader.lengthEncodedString();
  const orgName = reader.lengthEncodedString();
  const extended = options.extendedMetadata ? reader.lengthEncodedBytes() : undefined;
  reader.lengthEncodedInt();
  const column: ColumnDefinition = {
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
  if (extended) readExtendedMetadata(extended, column);
  return column;
}
