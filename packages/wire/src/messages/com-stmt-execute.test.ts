import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ColumnType } from '../constants/column-type.ts';
import { PROTOCOL_VIOLATION, assertCathodeError, assertTruncationsThrow, hex } from '../testing/packet-builders.ts';
import { type StmtExecute, boundParameterTypes, decodeExecuteParameters, decodeStmtExecute, encodeExecuteParameters, encodeStmtExecute, stmtExecuteFlags } from './com-stmt-execute.ts';

const params = encodeExecuteParameters([
  { type: ColumnType.LONG, value: 42 },
  { type: ColumnType.VAR_STRING, value: 'hi' },
]);
const withTypes: StmtExecute = { statementId: 1, flags: 0, iterationCount: 1, ...params };
const withTypesBytes = hex('17 01000000 00 01000000 00 01 0300 fd00 2a000000 02 6869');

describe('COM_STMT_EXECUTE', () => {
  it('builds the parameter block: NULL bitmap, (type, flags) pairs, values', () => {
    assert.deepEqual(params, { nullBitmap: hex('00'), parameterTypes: hex('0300 fd00'), values: hex('2a000000 02 6869'), newParamsBound: true });
  });

  it('marks NULLs in the bitmap (no offset), unsigned types with 0x80, and writes no bytes for NULL values', () => {
    const block = encodeExecuteParameters([
      { type: ColumnType.LONGLONG, unsigned: true, value: 2n ** 64n - 1n },
      { type: ColumnType.VAR_STRING, value: null },
      { type: ColumnType.TINY, value: -1 },
    ]);
    assert.deepEqual(block, { nullBitmap: hex('02'), parameterTypes: hex('0880 fd00 0100'), values: hex('ffffffffffffffff ff'), newParamsBound: true });
  });

  it('uses a 2-byte NULL bitmap for 9 parameters', () => {
    const block = encodeExecuteParameters(Array.from({ length: 9 }, (_, i) => ({ type: ColumnType.TINY, value: i === 8 ? null : i })));
    assert.deepEqual(block.nullBitmap, hex('0001'));
    assert.equal(block.values.length, 8);
  });

  it('encodes with new-params-bound byte for byte', () => {
    assert.deepEqual(encodeStmtExecute(withTypes), withTypesBytes);
  });

  it('decodes with new-params-bound', () => {
    assert.deepEqual(decodeStmtExecute(withTypesBytes, 2), withTypes);
  });

  it('encodes and decodes without new-params-bound (types remembered by the server)', () => {
    const message: StmtExecute = { ...withTypes, statementId: 0x01020304, flags: 0x01, newParamsBound: false, parameterTypes: undefined };
    const bytes = hex('17 04030201 01 01000000 00 00 2a000000 02 6869');
    assert.deepEqual(encodeStmtExecute(message), bytes);
    assert.deepEqual(decodeStmtExecute(bytes, 2), message);
  });

  it('encodes a statement without parameters as the 10-byte header only', () => {
    const message: StmtExecute = { statementId: 7, flags: 0, iterationCount: 1, nullBitmap: Buffer.alloc(0), newParamsBound: false, parameterTypes: undefined, values: Buffer.alloc(0) };
    const bytes = hex('17 07000000 00 01000000');
    assert.deepEqual(encodeStmtExecute(message), bytes);
    assert.deepEqual(decodeStmtExecute(bytes, 0), message);
  });

  it('refuses to encode new-params-bound without types', () => {
    assert.throws(() => encodeStmtExecute({ ...withTypes, parameterTypes: undefined }), TypeError);
  });

  it('decodes parameter values with the types sent now', () => {
    const message = decodeStmtExecute(withTypesBytes, 2);
    assert.deepEqual(decodeExecuteParameters(message, message.parameterTypes!), [42, Buffer.from('hi')]);
  });

  it('decodes parameter values with remembered types, NULLs and unsigned flags', () => {
    const block = encodeExecuteParameters([
      { type: ColumnType.LONGLONG, unsigned: true, value: 2n ** 64n - 1n },
      { type: ColumnType.VAR_STRING, value: null },
      { type: ColumnType.TINY, value: -1 },
      { type: ColumnType.DATETIME, value: '2024-01-02 03:04:05' },
    ]);
    const bytes = encodeStmtExecute({ statementId: 1, flags: 0, iterationCount: 1, ...block, newParamsBound: false, parameterTypes: undefined });
    const message = decodeStmtExecute(bytes, 4);
    assert.equal(message.parameterTypes, undefined);
    assert.deepEqual(decodeExecuteParameters(message, block.parameterTypes!), [2n ** 64n - 1n, null, -1, '2024-01-02 03:04:05']);
    const signedTypes = hex('0800 fd00 0100 0c00');
    assert.deepEqual(decodeExecuteParameters(message, signedTypes), [-1, null, -1, '2024-01-02 03:04:05']);
  });

  it('peeks at the flags and bound types without a full decode, agreeing with decodeStmtExecute', () => {
    const remembered = hex('17 04030201 01 01000000 00 00 2a000000 02 6869');
    assert.equal(stmtExecuteFlags(remembered), 0x01);
    assert.equal(boundParameterTypes(remembered, 2), undefined);
    assert.equal(stmtExecuteFlags(withTypesBytes), 0);
    assert.deepEqual(boundParameterTypes(withTypesBytes, 2), decodeStmtExecute(withTypesBytes, 2).parameterTypes);
    assert.equal(boundParameterTypes(hex('17 07000000 00 01000000'), 0), undefined);
  });

  it('peeking throws CATHODE_PROTOCOL_VIOLATION when truncated', () => {
    assertTruncationsThrow(withTypesBytes, stmtExecuteFlags, [0, 1, 5, 9]);
    // Up to the end of the types: 10-byte header, 1-byte bitmap, flag, 4 type bytes.
    assertTruncationsThrow(withTypesBytes, (bytes) => boundParameterTypes(bytes, 2), [10, 11, 12, 15]);
  });

  it('rejects a payload that is not COM_STMT_EXECUTE', () => {
    assertCathodeError(() => decodeStmtExecute(hex('16 01000000 00 01000000'), 0), PROTOCOL_VIOLATION);
  });

  it('throws CATHODE_PROTOCOL_VIOLATION when truncated before the values', () => {
    assertTruncationsThrow(withTypesBytes, (payload) => decodeStmtExecute(payload, 2), Array.from({ length: 16 }, (_, i) => i));
  });

  it('throws CATHODE_PROTOCOL_VIOLATION when the values are cut short', () => {
    const message = decodeStmtExecute(withTypesBytes, 2);
    for (let length = 0; length < message.values.length; length++) {
      assertCathodeError(() => decodeExecuteParameters({ ...message, values: message.values.subarray(0, length) }, message.parameterTypes!), PROTOCOL_VIOLATION, `values cut to ${length}`);
    }
  });
});
