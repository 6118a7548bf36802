import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  CACHING_SHA2_PASSWORD,
  CapabilityFlags,
  CachingSha2,
  CathodeError,
  CathodeErrorCode,
  MYSQL_NATIVE_PASSWORD,
  ServerStatus,
  decodeHandshakeResponse41,
  decryptPasswordWithPrivateKey,
  encodeAuthMoreData,
  encodeOkPacket,
  nativePasswordResponse,
} from '@cathode/wire';
import { cachingSha2Continue } from './backend-auth.ts';
import { type ServerIo, scriptedServer } from './testing/scripted-server.ts';
import { BackendConnection, type BackendEndpoint } from './backend-connection.ts';

// caching_sha2_password towards a backend, against a scripted server on a local socket. Over plain
// TCP the password may only be encrypted with the key configured for the backend: a server (or a
// man in the middle) that offers its own key must not get the password.

const PASSWORD = 's3cret-backend-pässword';
const dir = mkdtempSync(join(tmpdir(), 'cathode-backend-auth-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function keyPair(name: string): { publicKeyPath: string; privateKey: string; publicKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const publicKeyPath = join(dir, `${name}.pem`);
  writeFileSync(publicKeyPath, publicKey);
  return { publicKeyPath, privateKey, publicKey };
}

const server = keyPair('server');
const attacker = keyPair('attacker');

const ok = () => encodeOkPacket({ affectedRows: 0, lastInsertId: 0, statusFlags: ServerStatus.SERVER_STATUS_AUTOCOMMIT, warnings: 0, info: '' }, CapabilityFlags.CLIENT_PROTOCOL_41);

function endpointFor(port: number, serverPublicKey?: string): BackendEndpoint {
  return { name: 'sha2-backend', host: '127.0.0.1', port, user: 'app', password: PASSWORD, serverPublicKey };
}

function connect(endpoint: BackendEndpoint): Promise<BackendConnection> {
  return BackendConnection.connect({ endpoint, flavor: 0, connectTimeoutMs: 5_000 });
}

/** The server asks for full authentication and reports every packet it gets afterwards. */
async function fullAuthServer(onPassword?: (payload: Buffer, io: ServerIo) => void) {
  return scriptedServer(async (io) => {
    const response = await io.next();
    assert.ok(response);
    assert.equal(decodeHandshakeResponse41(response).authPluginName, CACHING_SHA2_PASSWORD);
    io.send(encodeAuthMoreData(Buffer.of(CachingSha2.PERFORM_FULL_AUTHENTICATION)));
    const afterFullAuth: Buffer[] = [];
    for (let packet = await io.next(); packet; packet = await io.next()) {
      afterFullAuth.push(packet);
      if (packet.length === 1 && packet[0] === CachingSha2.REQUEST_PUBLIC_KEY) {
        // What a man in the middle would do: hand over a key of its own.
        io.send(encodeAuthMoreData(Buffer.from(attacker.publicKey)));
      } else {
        onPassword?.(packet, io);
        break;
      }
    }
    return { nonce: io.nonce, afterFullAuth };
  });
}

describe('caching_sha2_password to a backend', () => {
  it('fast authentication from the server cache needs no key', async () => {
    const fake = await scriptedServer(async (io) => {
      await io.next();
      io.send(encodeAuthMoreData(Buffer.of(CachingSha2.FAST_AUTH_SUCCESS)));
      io.send(ok());
      return io.next();
    });
    try {
      const connection = await connect(endpointFor(fake.port));
      assert.equal(connection.threadId, 7);
      connection.close();
      assert.deepEqual(await fake.result, Buffer.of(0x01), 'logged in: the next packet is COM_QUIT');
    } finally {
      fake.close();
    }
  });

  it('full authentication without serverPublicKey fails naming the backend and the option, and never asks for a key (regression: took any key the network sent)', async () => {
    const fake = await fullAuthServer();
    try {
      await assert.rejects(connect(endpointFor(fake.port)), (error: CathodeError) => {
        assert.equal(error.code, CathodeErrorCode.BACKEND_AUTH_FAILED);
        assert.match(error.message, /sha2-backend/);
        assert.match(error.message, /backends\[\]\.serverPublicKey/);
        return true;
      });
      const { afterFullAuth } = await fake.result;
      assert.deepEqual(afterFullAuth, [], 'no public key request, no password');
    } finally {
      fake.close();
    }
  });

  it('full authentication encrypts the password with the configured key, which only the real server can read', async () => {
    let decrypted: string | undefined;
    const fake = await fullAuthServer((payload, io) => {
      decrypted = decryptPasswordWithPrivateKey(payload, io.nonce, server.privateKey);
      io.send(ok());
    });
    try {
      const connection = await connect(endpointFor(fake.port, server.publicKeyPath));
      connection.close();
      const { afterFullAuth, nonce } = await fake.result;
      assert.equal(decrypted, PASSWORD);
      assert.equal(afterFullAuth.length, 1, 'the encrypted password, without a key request first');
      assert.equal(afterFullAuth[0].length, 256);
      assert.equal(decryptPasswordWithPrivateKey(afterFullAuth[0], nonce, attacker.privateKey), undefined, "a man in the middle's key does not open it");
    } finally {
      fake.close();
    }
  });

  it('an unusable key file is an auth failure naming the file and the backend', async () => {
    const notAKey = join(dir, 'not-a-key.pem');
    writeFileSync(notAKey, 'hello');
    const fake = await fullAuthServer();
    try {
      await assert.rejects(connect(endpointFor(fake.port, notAKey)), (error: CathodeError) => {
        assert.equal(error.code, CathodeErrorCode.BACKEND_AUTH_FAILED);
        assert.ok(error.message.includes(`serverPublicKey ${notAKey} of backend sha2-backend`), error.message);
        return true;
      });
    } finally {
      fake.close();
    }
  });
});

describe('cachingSha2Continue', () => {
  const nonce = randomBytes(20);
  const backend = { name: 'b', serverPublicKey: server.publicKeyPath };

  it('sends nothing after fast-auth success', () => {
    assert.equal(cachingSha2Continue(Buffer.of(CachingSha2.FAST_AUTH_SUCCESS), PASSWORD, nonce, backend), undefined);
  });

  it('refuses a public key the server sends unasked instead of encrypting with it', () => {
    assert.throws(() => cachingSha2Continue(Buffer.from(attacker.publicKey), PASSWORD, nonce, backend), /unexpected caching_sha2_password data from backend b/);
  });

  it('answers a full-authentication request with the password under the configured key', () => {
    const reply = cachingSha2Continue(Buffer.of(CachingSha2.PERFORM_FULL_AUTHENTICATION), PASSWORD, nonce, backend);
    assert.ok(reply);
    assert.equal(decryptPasswordWithPrivateKey(reply, nonce, server.privateKey), PASSWORD);
  });
});

describe('a server account passed on without its password', () => {
  it('answers with SHA1(password) as mysql_native_password, whatever plugin the server greets with', async () => {
    const stage1 = createHash('sha1').update(PASSWORD, 'utf8').digest();
    const fake = await scriptedServer(async (io) => {
      const response = decodeHandshakeResponse41((await io.next())!);
      io.send(ok());
      await io.next();
      return { response, nonce: io.nonce };
    });
    try {
      const connection = await connect({ ...endpointFor(fake.port), user: 'srv', password: '', passwordStage1: stage1 });
      connection.close();
      const { response, nonce } = await fake.result;
      assert.equal(response.username, 'srv');
      assert.equal(response.authPluginName, MYSQL_NATIVE_PASSWORD);
      assert.deepEqual(response.authResponse, nativePasswordResponse(PASSWORD, nonce), 'the proof the password itself would give');
    } finally {
      fake.close();
    }
  });
});
