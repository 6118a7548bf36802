import { Collation, type ColumnDefinition, ColumnType } from '@cathode/wire';

/**
 * A column of a result set Cathode writes itself. Only the name and type are required; the rest
 * defaults to what an expression column carries (no schema or table, no flags, length 0), so set
 * flags, length and decimals as MariaDB would for the column (see sessionFunctionColumn).
 */
export interface ResultColumn {
  name: string;
  /** ColumnType.* */
  type: number;
  /** ColumnFlags.*; default 0. */
  flags?: number;
  /** Collation id; default: binary for numbers and temporal types, the writer's text collation for the rest. */
  characterSet?: number;
  /** Display length in bytes; default 0. */
  columnLength?: number;
  /** Default 0; MariaDB sends 31 for DOUBLE/FLOAT values of unfixed precision. */
  decimals?: number;
  schema?: string;
  table?: string;
  orgTable?: string;
  orgName?: string;
  /** MariaDB extended metadata (sent to clients with MARIADB_CLIENT_EXTENDED_METADATA). */
  extendedTypeName?: string;
  extendedFormat?: string;
}

/** Types whose values are text in the connection's character set; everything else is reported as binary. */
const TEXT_TYPES = new Set<number>([
  ColumnType.VARCHAR,
  ColumnType.VAR_STRING,
  ColumnType.STRING,
  ColumnType.ENUM,
  ColumnType.SET,
  ColumnType.TINY_BLOB,
  ColumnType.MEDIUM_BLOB,
  ColumnType.LONG_BLOB,
  ColumnType.BLOB,
  ColumnType.JSON,
]);

/** The full ColumnDefinition41 fields for `column`; `textCollation` for text types without their own. */
export function columnDefinitionOf(column: ResultColumn, textCollation: number): ColumnDefinition {
  const definition: ColumnDefinition = {
    catalog: 'def',
    schema: column.schema ?? '',
    table: column.table ?? '',
    orgTable: column.orgTable ?? '',
    name: column.name,
    orgName: column.orgName ?? '',
    characterSet: column.characterSet ?? (TEXT_TYPES.has(column.type) ? textCollation : Collation.binary),
    columnLength: column.columnLength ?? 0,
    type: column.type,
    flags: column.flags ?? 0,
    decimals: column.decimals ?? 0,
  };
  if (column.extendedTypeName !== undefined) definition.extendedTypeName = column.extendedTypeName;
  if (column.extendedFormat !== undefined) definition.extendedFormat = column.extendedFormat;
  return definition;
}
