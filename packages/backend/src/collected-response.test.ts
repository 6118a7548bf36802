import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CachingSha2, CapabilityFlags, ServerStatus, encodeAuthMoreData, encodeColumnDefinition, encodeEofPacket, encodeOkPacket, encodeTextRow } from '@cathode/wire';
import { BackendConnection, MAX_COLLECTED_RESPONSE_BYTES } from './backend-connection.ts';
import { scriptedServer } from './testing/scripted-server.ts';

const ok = () => encodeOkPacket({ affectedRows: 0, lastInsertId: 0, statusFlags: ServerStatus.SERVER_STATUS_AUTOCOMMIT, warnings: 0, info: '' }, CapabilityFlags.CLIENT_PROTOCOL_41);

it("regression: a response to one of Cathode's own statements larger than the bound is refused and the connection dropped, not collected", async () => {
  const row = encodeTextRow([Buffer.alloc(1024 * 1024, 'x')]);
  const rows = Math.ceil(MAX_COLLECTED_RESPONSE_BYTES / row.length) + 2;
  const fake = await scriptedServer(async (io) => {
    await io.next();
    io.send(encodeAuthMoreData(Buffer.of(CachingSha2.FAST_AUTH_SUCCESS)));
    io.send(ok());
    await io.next();
    io.send(Buffer.of(1));
    io.send(encodeColumnDefinition({ schema: '', table: '', orgTable: '', name: 'x', orgName: '', characterSet: 63, columnLength: 0, type: 0xfc, flags: 0, decimals: 0 }));
    io.send(encodeEofPacket({ warnings: 0, statusFlags: ServerStatus.SERVER_STATUS_AUTOCOMMIT }));
    for (let i = 0; i < rows; i++) io.send(row);
    io.send(encodeEofPacket({ warnings: 0, statusFlags: ServerStatus.SERVER_STATUS_AUTOCOMMIT }));
    return io.next();
  });
  try {
    const connection = await BackendConnection.connect({ endpoint: { name: 'flood', host: '127.0.0.1', port: fake.port, user: 'app', password: '' }, flavor: 0, connectTimeoutMs: 5_000 });
    await assert.rejects(connection.query('SELECT everything'), /more than/);
    assert.equal(connection.closed, true);
  } finally {
    fake.close();
  }
});
