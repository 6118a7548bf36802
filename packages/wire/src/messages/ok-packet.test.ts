import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapabilityFlags } from '../constants/capability-flags.ts';
import { ServerStatus } from '../constants/server-status.ts';
import { assertTruncationsThrow, cat, hex, str } from '../testing/packet-builders.ts';
import { type OkPacket, decodeOkPacket, encodeOkPacket, okPacketStatusFlags } from './ok-packet.ts';

const PROTOCOL_41 = CapabilityFlags.CLIENT_PROTOCOL_41;
const TRACK = CapabilityFlags.CLIENT_PROTOCOL_41 | CapabilityFlags.CLIENT_SESSION_TRACK;

const ok = (fields: Partial<OkPacket>): OkPacket => ({
  header: 0x00,
  affectedRows: 0,
  lastInsertId: 0,
  statusFlags: 0,
  warnings: 0,
  info: '',
  sessionStateChanges: undefined,
  ...fields,
});

describe('OK packet', () => {
  it('encodes header, lenenc affected rows and insert id, status, warnings (no session tracking)', () => {
    const message = ok({ affectedRows: 1, lastInsertId: 251, statusFlags: ServerStatus.SERVER_STATUS_AUTOCOMMIT, warnings: 3 });
    const bytes = hex('00 01 fcfb00 0200 0300');
    assert.deepEqual(encodeOkPacket(message, PROTOCOL_41), bytes);
    assert.deepEqual(decodeOkPacket(bytes, PROTOCOL_41), message);
  });

  it('writes info as string<EOF> without CLIENT_SESSION_TRACK', () => {
    const message = ok({ affectedRows: 2, statusFlags: 0x0003, info: 'Rows matched: 2  Changed: 2  Warnings: 0' });
    const bytes = cat(hex('00 02 00 0300 0000'), str('Rows matched: 2  Changed: 2  Warnings: 0'));
    assert.deepEqual(encodeOkPacket(message, PROTOCOL_41), bytes);
    assert.deepEqual(decodeOkPacket(bytes, PROTOCOL_41), message);
  });

  it('writes nothing after the warnings with CLIENT_SESSION_TRACK when info is empty and nothing changed', () => {
    const message = ok({ statusFlags: 0x0002 });
    assert.deepEqual(encodeOkPacket(message, TRACK), hex('00 00 00 0200 0000'));
    assert.deepEqual(decodeOkPacket(hex('00 00 00 0200 0000'), TRACK), message);
  });

  it('writes info as string<lenenc> with CLIENT_SESSION_TRACK', () => {
    const message = ok({ statusFlags: 0x0002, info: 'hi' });
    const bytes = hex('00 00 00 0200 0000 02 6869');
    assert.deepEqual(encodeOkPacket(message, TRACK), bytes);
    assert.deepEqual(decodeOkPacket(bytes, TRACK), message);
  });

  it('writes session state changes after the (empty) info when SERVER_SESSION_STATE_CHANGED is set', () => {
    // SESSION_TRACK_SCHEMA (1), entry length 5, lenenc 'test'.
    const changes = hex('01 05 04 74657374');
    const message = ok({ statusFlags: ServerStatus.SERVER_SESSION_STATE_CHANGED | ServerStatus.SERVER_STATUS_AUTOCOMMIT, sessionStateChanges: changes });
    const bytes = hex('00 00 00 0240 0000 00 07 01050474657374');
    assert.deepEqual(encodeOkPacket(message, TRACK), bytes);
    assert.deepEqual(decodeOkPacket(bytes, TRACK), message);
  });

  it('does not write session state changes when SERVER_SESSION_STATE_CHANGED is clear', () => {
    const bytes = encodeOkPacket(ok({ statusFlags: 0x0002, sessionStateChanges: hex('01 05 04 74657374') }), TRACK);
    assert.deepEqual(bytes, hex('00 00 00 0200 0000 00'));
    assert.equal(decodeOkPacket(bytes, TRACK).sessionStateChanges, undefined);
  });

  it('encodes the 0xfe header used in place of EOF under CLIENT_DEPRECATE_EOF', () => {
    const message = ok({ header: 0xfe, statusFlags: 0x0022, warnings: 1 });
    const bytes = hex('fe 00 00 2200 0100');
    assert.deepEqual(encodeOkPacket(message, TRACK), bytes);
    assert.deepEqual(decodeOkPacket(bytes, TRACK), message);
  });

  it('round-trips affected rows and insert ids at every int<lenenc> width, including > 2^53 as bigint', () => {
    for (const value of [250, 251, 0xffff, 0x10000, 0xffffff, 0x1000000, 2n ** 53n + 1n]) {
      const message = ok({ affectedRows: value, lastInsertId: value, statusFlags: 2 });
      assert.deepEqual(decodeOkPacket(encodeOkPacket(message, PROTOCOL_41), PROTOCOL_41), message, String(value));
    }
    assert.deepEqual(encodeOkPacket(ok({ affectedRows: 2n ** 53n + 1n }), PROTOCOL_41), hex('00 fe0100000000002000 00 0000 0000'));
  });

  it('reads the status flags alone with okPacketStatusFlags', () => {
    assert.equal(okPacketStatusFlags(hex('00 fcfb00 fd000001 2340 0000')), 0x4023);
    assert.equal(okPacketStatusFlags(hex('fe 00 00 0100 0000')), 0x0001);
  });

  it('throws CATHODE_PROTOCOL_VIOLATION when truncated before the end of the warnings', () => {
    const bytes = hex('00 fcfb00 01 0200 0000');
    assertTruncationsThrow(bytes, (payload) => decodeOkPacket(payload, PROTOCOL_41));
    assertTruncationsThrow(bytes, okPacketStatusFlags, [0, 1, 2, 3, 4, 5, 6]);
  });

  it('throws CATHODE_PROTOCOL_VIOLATION when a session-tracked info or state block is cut short', () => {
    const bytes = hex('00 00 00 0240 0000 02 6869 07 01050474657374');
    assertTruncationsThrow(bytes, (payload) => decodeOkPacket(payload, TRACK), [8, 9, 11, 12, 13, 17]);
  });
});
