import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CathodeError, CathodeErrorCode, SqlError, decodeErrPacket } from '@cathode/wire';
import { LoginThrottle, hostBlockedPacket, isFailedLogin } from './login-throttle.ts';

test('a host is blocked once it reaches the limit of consecutive failures, others are not', () => {
  const throttle = new LoginThrottle(3);
  assert.equal(throttle.failed('10.0.0.1'), false);
  assert.equal(throttle.failed('10.0.0.1'), false);
  assert.equal(throttle.isBlocked('10.0.0.1'), false);
  assert.equal(throttle.failed('10.0.0.1'), true, 'the third failure blocks');
  assert.equal(throttle.isBlocked('10.0.0.1'), true);
  assert.equal(throttle.failed('10.0.0.1'), false, 'only the blocking failure says so');
  assert.equal(throttle.isBlocked('10.0.0.2'), false);
});

test('a success resets the count, so only consecutive failures block', () => {
  const throttle = new LoginThrottle(2);
  throttle.failed('h');
  throttle.succeeded('h');
  throttle.failed('h');
  assert.equal(throttle.isBlocked('h'), false);
  throttle.failed('h');
  assert.equal(throttle.isBlocked('h'), true);
});

test('flush unblocks every host; a limit of 0 never blocks', () => {
  const throttle = new LoginThrottle(1);
  throttle.failed('a');
  throttle.failed('b');
  throttle.flush();
  assert.equal(throttle.isBlocked('a') || throttle.isBlocked('b'), false);
  const off = new LoginThrottle(0);
  for (let attempt = 0; attempt < 10; attempt++) off.failed('a');
  assert.equal(off.isBlocked('a'), false);
});

test('wrong credentials and malformed handshakes count; server-side failures do not', () => {
  assert.equal(isFailedLogin(SqlError.of('ER_ACCESS_DENIED_ERROR', 'u', 'h', 'YES')), true);
  assert.equal(isFailedLogin(new CathodeError(CathodeErrorCode.PROTOCOL_VIOLATION, 'garbage')), true);
  assert.equal(isFailedLogin(SqlError.of('ER_DBACCESS_DENIED_ERROR', 'u', 'h', 'db')), false);
  assert.equal(isFailedLogin(SqlError.of('ER_CONNECT_TO_FOREIGN_DATA_SOURCE', 'backend down')), false);
  assert.equal(isFailedLogin(new CathodeError(CathodeErrorCode.BACKEND_UNAVAILABLE, 'backend down')), false);
});

test('the blocked-host answer is ERR 1129 as the first packet, naming the host', () => {
  const packet = hostBlockedPacket('192.0.2.7');
  assert.equal(packet.readUIntLE(0, 3), packet.length - 4);
  assert.equal(packet[3], 0, 'sequence id 0, in place of the handshake');
  const error = decodeErrPacket(packet.subarray(4));
  assert.equal(error.errno, 1129);
  assert.equal(error.sqlState, 'HY000');
  assert.equal(error.message, "Host '192.0.2.7' is blocked because of many connection errors; unblock with 'mariadb-admin flush-hosts'");
});
