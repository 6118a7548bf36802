import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertTruncationsThrow, eofPayload, hex, okPayload } from '../testing/packet-builders.ts';
import { CapabilityFlags } from '../constants/capability-flags.ts';
import { EOF_PACKET_HEADER, decodeEofPacket, encodeEofPacket, encodeResultSetEnd, isEndOfStream } from './eof-packet.ts';

describe('EOF packet', () => {
  it('encodes 0xfe, warnings, status flags', () => {
    assert.equal(EOF_PACKET_HEADER, 0xfe);
    assert.deepEqual(encodeEofPacket({ warnings: 1, statusFlags: 0x0022 }), hex('fe 0100 2200'));
  });

  it('decodes it back', () => {
    assert.deepEqual(decodeEofPacket(hex('fe 0100 2200')), { warnings: 1, statusFlags: 0x0022 });
    assert.deepEqual(decodeEofPacket(encodeEofPacket({ warnings: 0xffff, statusFlags: 0x4001 })), { warnings: 0xffff, statusFlags: 0x4001 });
  });

  it('throws CATHODE_PROTOCOL_VIOLATION when truncated', () => {
    assertTruncationsThrow(hex('fe 0100 2200'), decodeEofPacket);
  });

  describe('isEndOfStream', () => {
    it('without CLIENT_DEPRECATE_EOF: 0xfe shorter than 9 bytes', () => {
      assert.equal(isEndOfStream(0xfe, 5, false), true);
      assert.equal(isEndOfStream(0xfe, 8, false), true);
      assert.equal(isEndOfStream(0xfe, 9, false), false);
      assert.equal(isEndOfStream(0xfe, 0xffffff, false), false);
      assert.equal(isEndOfStream(0x00, 5, false), false);
      assert.equal(isEndOfStream(0xff, 5, false), false);
    });

    it('with CLIENT_DEPRECATE_EOF: 0xfe in any packet shorter than 0xffffff bytes (an OK can be long)', () => {
      assert.equal(isEndOfStream(0xfe, 7, true), true);
      assert.equal(isEndOfStream(0xfe, 200, true), true);
      assert.equal(isEndOfStream(0xfe, 0xfffffe, true), true);
      assert.equal(isEndOfStream(0xfe, 0xffffff, true), false);
      assert.equal(isEndOfStream(0x00, 7, true), false);
    });
  });

  describe('encodeResultSetEnd', () => {
    it('is an EOF packet without CLIENT_DEPRECATE_EOF', () => {
      assert.deepEqual(encodeResultSetEnd({ warnings: 1, statusFlags: 0x0022 }, CapabilityFlags.CLIENT_PROTOCOL_41), eofPayload(0x0022, 1));
    });

    it('is an OK with the 0xfe header with CLIENT_DEPRECATE_EOF (captured from MariaDB 10.11: fe 00 00 0200 0000)', () => {
      const flags = CapabilityFlags.CLIENT_PROTOCOL_41 | CapabilityFlags.CLIENT_DEPRECATE_EOF;
      assert.deepEqual(encodeResultSetEnd({ warnings: 0, statusFlags: 0x0002 }, flags), hex('fe 00 00 0200 0000'));
      assert.deepEqual(encodeResultSetEnd({ warnings: 3, statusFlags: 0x000a }, flags), okPayload({ status: 0x000a, warnings: 3 }, 0xfe));
    });

    it('carries no info string even with CLIENT_SESSION_TRACK', () => {
      const flags = CapabilityFlags.CLIENT_PROTOCOL_41 | CapabilityFlags.CLIENT_DEPRECATE_EOF | CapabilityFlags.CLIENT_SESSION_TRACK;
      assert.deepEqual(encodeResultSetEnd({ warnings: 0, statusFlags: 0x0002 }, flags), hex('fe 00 00 0200 0000'));
    });
  });
});
