import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapabilityFlags } from '../constants/capability-flags.ts';
import { PROTOCOL_VIOLATION, assertTruncationsThrow, cat, hex } from '../testing/packet-builders.ts';
import { encodeHandshakeResponse41 } from './handshake-response-41.ts';
import { type SslRequest, decodeSslRequest, encodeSslRequest, isSslRequest } from './ssl-request.ts';

// MYSQL | PROTOCOL_41 | SSL | SECURE_CONNECTION = 0x8a01
const request: SslRequest = {
  capabilityFlags: CapabilityFlags.CLIENT_MYSQL | CapabilityFlags.CLIENT_PROTOCOL_41 | CapabilityFlags.CLIENT_SSL | CapabilityFlags.CLIENT_SECURE_CONNECTION,
  maxPacketSize: 0x01000000,
  characterSet: 33,
};
const requestBytes = cat(hex('018a0000 00000001 21'), Buffer.alloc(23));

describe('SSLRequest', () => {
  it('encodes the 32-byte fixed part byte for byte', () => {
    assert.deepEqual(encodeSslRequest(request), requestBytes);
    assert.equal(requestBytes.length, 32);
  });

  it('decodes it back', () => {
    assert.deepEqual(decodeSslRequest(requestBytes), request);
  });

  it('is recognized by isSslRequest', () => {
    assert.equal(isSslRequest(requestBytes), true);
  });

  it('is not an SSL request without CLIENT_SSL', () => {
    assert.equal(isSslRequest(encodeSslRequest({ ...request, capabilityFlags: request.capabilityFlags & ~CapabilityFlags.CLIENT_SSL })), false);
  });

  it('a full handshake response with CLIENT_SSL set is not an SSL request', () => {
    const response = encodeHandshakeResponse41({
      capabilityFlags: request.capabilityFlags,
      maxPacketSize: request.maxPacketSize,
      characterSet: request.characterSet,
      mariaDbCapabilities: 0,
      username: 'u',
      authResponse: Buffer.alloc(0),
      database: undefined,
      authPluginName: undefined,
      connectAttributes: undefined,
    });
    assert.deepEqual(response.subarray(0, 32), requestBytes);
    assert.equal(isSslRequest(response), false);
  });

  it('short payloads are not SSL requests (and do not throw)', () => {
    assert.equal(isSslRequest(requestBytes.subarray(0, 31)), false);
    assert.equal(isSslRequest(Buffer.alloc(0)), false);
  });

  it('throws CATHODE_PROTOCOL_VIOLATION when truncated before the character set', () => {
    assert.equal(PROTOCOL_VIOLATION, 'CATHODE_PROTOCOL_VIOLATION');
    assertTruncationsThrow(requestBytes, decodeSslRequest, [0, 3, 4, 8]);
  });
});
