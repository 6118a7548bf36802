import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';
import { CommandByte } from '../constants/command-byte.ts';
import { protocolViolation } from '../errors/cathode-error.ts';
import { type BinaryValue, readBinaryValue, writeBinaryValue } from './binary-value.ts';

/** Parameter types are sent as (type, flags) pairs; this flag marks an unsigned integer. */
const UNSIGNED_PARAMETER = 0x80;

/**
 * COM_STMT_EXECUTE, with the parameter block kept as raw parts: a proxy re-targets it at another
 * backend statement (new id, re-sent types) without decoding values.
 */
export interface StmtExecute {
  statementId: number;
  flags: number;
  iterationCount: number;
  /** Empty when the statement has no parameters. */
  nullBitmap: Buffer;
  /** The `new-params-bound` flag: types are present and replace those the server remembers. */
  newParamsBound: boolean;
  /** Two bytes per parameter (type, flags), present when newParamsBound. */
  parameterTypes: Buffer | undefined;
  /** The parameter values, back to back. */
  values: Buffer;
}

export interface ExecuteParameter {
  type: number;
  unsigned?: boolean;
  value: BinaryValue;
}

export function decodeStmtExecute(payload: Buffer, parameterCount: number): StmtExecute {
  const reader = new PayloadReader(payload);
  if (reader.u8() !== CommandByte.COM_STMT_EXECUTE) throw protocolViolation('not a COM_STMT_EXECUTE');
  const statementId = reader.u32();
  const flags = reader.u8();
  const iterationCount = reader.u32();
  if (parameterCount === 0) {
    return { statementId, flags, iterationCount, nullBitmap: Buffer.alloc(0), newParamsBound: false, parameterTypes: undefined, values: Buffer.alloc(0) };
  }
  const nullBitmap = reader.bytes((parameterCount + 7) >> 3);
  const newParamsBound = reader.u8() === 1;
  const parameterTypes = newParamsBound ? reader.bytes(parameterCount * 2) : undefined;
  return { statementId, flags, iterationCount, nullBitmap, newParamsBound, parameterTypes, values: reader.restBytes() };
}

/** Command byte, statement id, flags, iteration count: where the parameter block starts. */
const PARAMETER_BLOCK_OFFSET = 10;

/** The flags byte of a COM_STMT_EXECUTE (cursor type), read without decoding the rest. */
export function stmtExecuteFlags(payload: Buffer): number {
  if (payload.length < PARAMETER_BLOCK_OFFSET) throw protocolViolation('truncated COM_STMT_EXECUTE');
  return payload[5];
}

/**
 * The parameter types a COM_STMT_EXECUTE binds (a view into `payload`), or undefined when it binds
 * none: what a proxy needs of each execute, without the allocations of a full decode.
 */
export function boundParameterTypes(payload: Buffer, parameterCount: number): Buffer | undefined {
  if (parameterCount === 0) return undefined;
  const flagOffset = PARAMETER_BLOCK_OFFSET + ((parameterCount + 7) >> 3);
  if (payload.length <= flagOffset) throw protocolViolation('truncated COM_STMT_EXECUTE: no new-params-bound flag');
  if (payload[flagOffset] !== 1) return undefined;
  const end = flagOffset + 1 + parameterCount * 2;
  if (payload.length < end) throw protocolViolation('truncated COM_STMT_EXECUTE: parameter types');
  return payload.subarray(flagOffset + 1, end);
}

export function encodeStmtExecute(message: StmtExecute): Buffer {
  const writer = new PayloadWriter(32 + message.values.length)
    .u8(CommandByte.COM_STMT_EXECUTE)
    .u32(message.statementId)
    .u8(message.flags)
    .u32(message.iterationCount);
  if (message.nullBitmap.length === 0) return writer.toBuffer();
  writer.bytes(message.nullBitmap).u8(message.newParamsBound ? 1 : 0);
  if (message.newParamsBound) {
    if (!message.parameterTypes) throw new TypeError('newParamsBound requires parameterTypes');
    writer.bytes(message.parameterTypes);
  }
  return writer.bytes(message.values).toBuffer();
}

/** Builds the parameter block for typed values (used by Cathode's own client and by tests). */
export function encodeExecuteParameters(parameters: readonly ExecuteParameter[]): Pick<StmtExecute, 'nullBitmap' | 'parameterTypes' | 'values' | 'newParamsBound'> {
  const nullBitmap = Buffer.alloc((parameters.length + 7) >> 3);
  const parameterTypes = Buffer.alloc(parameters.length * 2);
  const values = new PayloadWriter(64);
  parameters.forEach((parameter, i) => {
    parameterTypes[i * 2] = parameter.type;
    parameterTypes[i * 2 + 1] = parameter.unsigned ? UNSIGNED_PARAMETER : 0;
    if (parameter.value === null) nullBitmap[i >> 3] |= 1 << (i & 7);
    else writeBinaryValue(values, parameter.type, parameter.value);
  });
  return { nullBitmap, parameterTypes, values: values.toBuffer(), newParamsBound: parameters.length > 0 };
}

/** Decodes the parameter values, given the types in force (sent now or remembered from before). */
export function decodeExecuteParameters(message: StmtExecute, parameterTypes: Buffer): BinaryValue[] {
  const count = parameterTypes.length / 2;
  const reader = new PayloadReader(message.values);
  const values: BinaryValue[] = [];
  for (let i = 0; i < count; i++) {
    if (message.nullBitmap[i >> 3] & (1 << (i & 7))) values.push(null);
    else values.push(readBinaryValue(reader, parameterTypes[i * 2], (parameterTypes[i * 2 + 1] & UNSIGNED_PARAMETER) !== 0));
  }
  return values;
}
