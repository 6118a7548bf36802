// Byte-level tests for the small command messages.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandByte, commandName } from '../constants/command-byte.ts';
import { assertTruncationsThrow, hex } from '../testing/packet-builders.ts';
import { decodeComFieldList, encodeComFieldList } from './com-field-list.ts';
import { decodeComInitDb, encodeComInitDb } from './com-init-db.ts';
import { decodeComProcessKill, encodeComProcessKill } from './com-process-kill.ts';
import { decodeComQuery, encodeComQuery } from './com-query.ts';
import { SetOption, decodeComSetOption, encodeComSetOption } from './com-set-option.ts';
import { decodeStatementCommand, encodeComStmtClose, encodeComStmtReset } from './com-stmt-close.ts';
import { decodeStmtSendLongData, encodeStmtSendLongData } from './com-stmt-send-long-data.ts';
import { decodeLocalInfileRequest, encodeLocalInfileRequest, LOCAL_INFILE_HEADER } from './local-infile-request.ts';

describe('COM_QUERY', () => {
  it('encodes 0x03 + the SQL text', () => {
    assert.deepEqual(encodeComQuery('SELECT 1'), hex('03 53454c4543542031'));
    assert.deepEqual(encodeComQuery(hex('53 ff')), hex('03 53 ff'));
    assert.deepEqual(encodeComQuery(''), hex('03'));
  });

  it('decodes the text', () => {
    assert.equal(decodeComQuery(hex('03 53454c4543542031')), 'SELECT 1');
    assert.equal(decodeComQuery(encodeComQuery("SELECT 'é'")), "SELECT 'é'");
  });
});

describe('COM_INIT_DB', () => {
  it('encodes 0x02 + the schema and decodes it back', () => {
    assert.deepEqual(encodeComInitDb('test'), hex('02 74657374'));
    assert.equal(decodeComInitDb(hex('02 74657374')), 'test');
  });
});

describe('COM_FIELD_LIST', () => {
  it('encodes 0x04, the NUL-terminated table and the wildcard', () => {
    assert.deepEqual(encodeComFieldList({ table: 't1', wildcard: 'i%' }), hex('04 7431 00 6925'));
    assert.deepEqual(encodeComFieldList({ table: 't1', wildcard: '' }), hex('04 7431 00'));
  });

  it('decodes it back', () => {
    assert.deepEqual(decodeComFieldList(hex('04 7431 00 6925')), { table: 't1', wildcard: 'i%' });
    assert.deepEqual(decodeComFieldList(hex('04 7431 00')), { table: 't1', wildcard: '' });
  });

  it('throws CATHODE_PROTOCOL_VIOLATION without the table terminator', () => {
    assertTruncationsThrow(hex('04 7431 00'), decodeComFieldList);
  });
});

describe('COM_STMT_CLOSE / COM_STMT_RESET', () => {
  it('encode the command byte and the statement id', () => {
    assert.deepEqual(encodeComStmtClose(0x01020304), hex('19 04030201'));
    assert.deepEqual(encodeComStmtReset(1), hex('1a 01000000'));
    assert.deepEqual(encodeComStmtClose(0xffffffff), hex('19 ffffffff'));
  });

  it('decode the statement id', () => {
    assert.equal(decodeStatementCommand(hex('19 04030201')), 0x01020304);
    assert.equal(decodeStatementCommand(hex('1a ffffffff')), 0xffffffff);
  });

  it('throw CATHODE_PROTOCOL_VIOLATION when truncated', () => {
    assertTruncationsThrow(hex('19 04030201'), decodeStatementCommand);
  });
});

describe('COM_STMT_SEND_LONG_DATA', () => {
  const message = { statementId: 1, parameterId: 2, data: Buffer.from('data') };
  const bytes = hex('18 01000000 0200 64617461');

  it('encodes byte for byte and decodes back', () => {
    assert.deepEqual(encodeStmtSendLongData(message), bytes);
    assert.deepEqual(decodeStmtSendLongData(bytes), message);
  });

  it('round-trips empty data', () => {
    const empty = { statementId: 9, parameterId: 0xffff, data: Buffer.alloc(0) };
    assert.deepEqual(decodeStmtSendLongData(encodeStmtSendLongData(empty)), empty);
  });

  it('throws CATHODE_PROTOCOL_VIOLATION when truncated before the data', () => {
    assertTruncationsThrow(bytes, decodeStmtSendLongData, [0, 1, 4, 5, 6]);
  });
});

describe('COM_SET_OPTION', () => {
  it('encodes 0x1b + a 2-byte option', () => {
    assert.deepEqual(encodeComSetOption(SetOption.MULTI_STATEMENTS_OFF), hex('1b 0100'));
    assert.deepEqual(encodeComSetOption(SetOption.MULTI_STATEMENTS_ON), hex('1b 0000'));
    assert.equal(decodeComSetOption(hex('1b 0100')), SetOption.MULTI_STATEMENTS_OFF);
  });

  it('throws CATHODE_PROTOCOL_VIOLATION when truncated', () => {
    assertTruncationsThrow(hex('1b 0100'), decodeComSetOption);
  });
});

describe('COM_PROCESS_KILL', () => {
  it('encodes 0x0c + a 4-byte connection id', () => {
    assert.deepEqual(encodeComProcessKill(42), hex('0c 2a000000'));
    assert.equal(decodeComProcessKill(hex('0c 2a000000')), 42);
    assert.equal(decodeComProcessKill(encodeComProcessKill(0xfffffffe)), 0xfffffffe);
  });

  it('throws CATHODE_PROTOCOL_VIOLATION when truncated', () => {
    assertTruncationsThrow(hex('0c 2a000000'), decodeComProcessKill);
  });
});

describe('LOCAL INFILE request', () => {
  it('encodes 0xfb + the file name and decodes it back', () => {
    assert.equal(LOCAL_INFILE_HEADER, 0xfb);
    assert.deepEqual(encodeLocalInfileRequest('/tmp/data.csv'), hex('fb 2f746d702f646174612e637376'));
    assert.equal(decodeLocalInfileRequest(hex('fb 2f746d702f646174612e637376')), '/tmp/data.csv');
  });
});

describe('command bytes', () => {
  it('name known and unknown commands', () => {
    assert.equal(CommandByte.COM_STMT_EXECUTE, 0x17);
    assert.equal(commandName(0x03), 'COM_QUERY');
    assert.equal(commandName(0x1f), 'COM_RESET_CONNECTION');
    assert.equal(commandName(0xee), 'COM_UNKNOWN(0xee)');
    assert.equal(commandName(0x20), 'COM_UNKNOWN(0x20)');
  });
});
