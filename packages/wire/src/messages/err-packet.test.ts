import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SqlError } from '../errors/sql-error.ts';
import { assertTruncationsThrow, cat, hex, str } from '../testing/packet-builders.ts';
import { ERR_PACKET_HEADER, decodeErrPacket, encodeErrPacket } from './err-packet.ts';

const message = "Access denied for user 'bob'@'localhost' (using password: YES)";

describe('ERR packet', () => {
  it("encodes 0xff, errno, '#', the SQLSTATE and the message", () => {
    assert.equal(ERR_PACKET_HEADER, 0xff);
    assert.deepEqual(encodeErrPacket({ errno: 1045, sqlState: '28000', message }), cat(hex('ff 1504 23 3238303030'), str(message)));
  });

  it('encodes from a SqlError', () => {
    assert.deepEqual(encodeErrPacket(new SqlError(1064, '42000', 'x')), hex('ff 2804 23 3432303030 78'));
  });

  it('pads a short SQLSTATE and cuts a long one to five characters', () => {
    assert.deepEqual(encodeErrPacket({ errno: 1, sqlState: 'HY', message: '' }), hex('ff 0100 23 4859303030'));
    assert.deepEqual(encodeErrPacket({ errno: 1, sqlState: 'HY0001', message: '' }), hex('ff 0100 23 4859303030'));
  });

  it("decodes an ERR with '#' + SQLSTATE into a SqlError", () => {
    const error = decodeErrPacket(cat(hex('ff 1504 23 3238303030'), str(message)));
    assert.ok(error instanceof SqlError);
    assert.deepEqual([error.errno, error.sqlState, error.message], [1045, '28000', message]);
  });

  it('round-trips', () => {
    const error = decodeErrPacket(encodeErrPacket({ errno: 1927, sqlState: '70100', message: 'Connection was killed' }));
    assert.deepEqual([error.errno, error.sqlState, error.message], [1927, '70100', 'Connection was killed']);
  });

  it('decodes an ERR with an empty message', () => {
    const error = decodeErrPacket(hex('ff 1504 23 3238303030'));
    assert.deepEqual([error.errno, error.sqlState, error.message], [1045, '28000', '']);
  });

  it("decodes an ERR without '#' (sent before the handshake) with SQLSTATE HY000 and the whole message", () => {
    const error = decodeErrPacket(cat(hex('ff 1304'), str('Bad handshake')));
    assert.deepEqual([error.errno, error.sqlState, error.message], [1043, 'HY000', 'Bad handshake']);
  });

  it("decodes a short message starting with '#' as message text", () => {
    const error = decodeErrPacket(cat(hex('ff 1304'), str('#abc')));
    assert.deepEqual([error.errno, error.sqlState, error.message], [1043, 'HY000', '#abc']);
  });

  it('throws CATHODE_PROTOCOL_VIOLATION when truncated before the end of the errno', () => {
    assertTruncationsThrow(hex('ff 1504 23 3238303030'), decodeErrPacket, [0, 1, 2]);
  });
});
