import type tls from 'node:tls';
import {
  CapabilityFlags,
  CathodeError,
  CathodeErrorCode,
  CommandByte,
  type LogicalPacket,
  MYSQL_NATIVE_PASSWORD,
  ServerStatus,
  SqlError,
  decodeComChangeUser,
  decodeHandshakeResponse41,
  decodeSslRequest,
  encodeHandshakeV10,
  generateScramble,
  hasCapability,
  isSslRequest,
  wireErrorFor,
} from '@cathode/wire';
import type { Logger } from 'pino';
import { type AuthContext, authenticate } from './authenticate.ts';
import type { ClientConnection } from './client-connection.ts';
import { isFailedLogin } from './login-throttle.ts';
import type { ClientIdentity, CommandFinish, SessionHandler } from './session-handler.ts';
import type { UserAccount, UserDirectory } from './user-directory.ts';

export interface FrontendOptions {
  serverVersion: string;
  serverCapabilities: number;
  /** MariaDB extended capabilities to offer (only sent when serverCapabilities lack CLIENT_MYSQL, as MariaDB does). */
  mariaDbCapabilities: number;
  /** Collation id announced in the handshake. */
  characterSet: number;
  users: UserDirectory;
  secureContext: tls.SecureContext | undefined;
  rsaKeys: { privateKey: string; publicKey: string } | undefined;
  maxPacketLength: number;
  authTimeoutMs: number;
  logger: Logger;
  /** Told of each login that succeeded or counts as failed (see isFailedLogin), by client host: for the login throttle. */
  onLogin?: (host: string, succeeded: boolean) => void;
}

/**
 * Drives one client connection: handshake, optional TLS, authentication, then one command at a
 * time into the session handler until the client quits or the connection fails. Resolves once
 * the session serves commands (or was refused).
 */
export async function runClientSession(connection: ClientConnection, options: FrontendOptions, handler: SessionHandler): Promise<void> {
  const logger = options.logger.child({ connectionId: connection.connectionId });
  connection.onClose((reason) => handler.closed(reason));
  const authTimer = setTimeout(() => connection.closeWithError(SqlError.of('ER_HANDSHAKE_ERROR'), 'authentication timed out'), options.authTimeoutMs);
  let identity: ClientIdentity | undefined;
  try {
    identity = await connect(connection, options, handler, logger);
    options.onLogin?.(connection.remoteAddress, true);
  } catch (error) {
    if (isFailedLogin(error)) options.onLogin?.(connection.remoteAddress, false);
    refuse(connection, error, logger);
  } finally {
    clearTimeout(authTimer);
  }
  if (!identity || connection.closed) return;
  logger.debug({ user: identity.username, schema: identity.schema, remote: connection.remoteAddress }, 'client authenticated');
  serveCommands(connection, options, handler, identity, logger);
}

function refuse(connection: ClientConnection, error: unknown, logger: Logger): void {
  if (connection.closed) return;
  if (error instanceof SqlError) {
    connection.closeWithError(error, `login refused: ${error.message}`);
    return;
  }
  const handshakeError = error instanceof CathodeError && error.code === CathodeErrorCode.PROTOCOL_VIOLATION;
  logFailure(logger, error, 'login failed');
  connection.closeWithError(handshakeError ? SqlError.of('ER_HANDSHAKE_ERROR') : wireErrorFor(error), 'bad handshake');
}

const CLIENT_FAULTS: ReadonlySet<string> = new Set([
  CathodeErrorCode.PROTOCOL_VIOLATION,
  CathodeErrorCode.PACKET_TOO_LARGE,
  CathodeErrorCode.PACKETS_OUT_OF_ORDER,
  CathodeErrorCode.UNCOMPRESS_FAILED,
]);

/** Malformed input is the client's problem, answered on the wire: logged at debug, so a client cannot flood the log. */
function logFailure(logger: Logger, error: unknown, message: string): void {
  if (error instanceof SqlError) return;
  if (error instanceof CathodeError && CLIENT_FAULTS.has(error.code)) logger.debug({ err: error.message }, message);
  else logger.warn({ err: error }, message);
}

/** The longest name a client may choose that is logged whole (MariaDB's own limit on user names). */
const LOGGED_NAME_LENGTH = 128;

/** A client-chosen name as logged: a refused login must not write megabytes to the log. */
function loggedName(name: string): string {
  return name.length <= LOGGED_NAME_LENGTH ? name : `${name.slice(0, LOGGED_NAME_LENGTH)}… (${name.length} characters)`;
}

/** A configured user or a server account; one whose auth plugin Cathode cannot pass on is logged, then refused (1045). */
async function resolveAccount(options: FrontendOptions, username: string, remoteAddress: string, logger: Logger): Promise<UserAccount | undefined> {
  const account = await options.users.resolve(username, remoteAddress);
  if (account?.unsupportedPlugin !== undefined) {
    logger.warn({ user: loggedName(username), host: account.server?.host, plugin: account.unsupportedPlugin }, 'server account uses an auth plugin Cathode cannot pass on to the backend: login refused');
  }
  return account;
}

/** Handshake packets continue the sequence the server started; MariaDB refuses anything else with 1156. */
function expectSequence(packet: LogicalPacket, sequenceId: number): LogicalPacket {
  if (packet.sequenceId !== sequenceId) {
    throw new CathodeError(CathodeErrorCode.PACKETS_OUT_OF_ORDER, `handshake packet with sequence id ${packet.sequenceId}, expected ${sequenceId}`);
  }
  return packet;
}

async function connect(connection: ClientConnection, options: FrontendOptions, handler: SessionHandler, logger: Logger): Promise<ClientIdentity> {
  const scramble = generateScramble();
  connection.writePacket(
    encodeHandshakeV10({
      serverVersion: options.serverVersion,
      connectionId: connection.connectionId,
      authPluginData: scramble,
      capabilityFlags: options.serverCapabilities,
      characterSet: options.characterSet,
      statusFlags: ServerStatus.SERVER_STATUS_AUTOCOMMIT,
      authPluginName: MYSQL_NATIVE_PASSWORD,
      mariaDbCapabilities: options.mariaDbCapabilities,
    }),
  );
  let packet = expectSequence(await connection.nextPacket(), 1);
  if (isSslRequest(packet.payload)) {
    if (!options.secureContext) throw SqlError.of('ER_HANDSHAKE_ERROR');
    decodeSslRequest(packet.payload);
    await connection.upgradeToTls(options.secureContext);
    packet = expectSequence(await connection.nextPacket(), 2);
  }
  const response = decodeHandshakeResponse41(packet.payload);
  connection.capabilityFlags = (response.capabilityFlags & options.serverCapabilities) >>> 0;
  const claimed = await resolveAccount(options, response.username, connection.remoteAddress, logger);
  const context: AuthContext = { connection, users: options.users, rsaKeys: options.rsaKeys };
  const proof = await authenticate(context, { account: claimed, clientPlugin: response.authPluginName, authResponse: response.authResponse, scramble });
  const account = proof?.account ?? claimed;
  if (!proof || !account) {
    logger.info({ user: loggedName(response.username), remote: connection.remoteAddress }, 'access denied');
    throw SqlError.of('ER_ACCESS_DENIED_ERROR', response.username, connection.remoteAddress, response.authResponse.length > 0 ? 'YES' : 'NO');
  }
  const schema = hasCapability(connection.capabilityFlags, CapabilityFlags.CLIENT_CONNECT_WITH_DB) ? response.database : undefined;
  if (schema !== undefined && !options.users.mayUseSchema(account, schema)) {
    throw SqlError.of('ER_DBACCESS_DENIED_ERROR', account.name, connection.remoteAddress, schema);
  }
  const identity: ClientIdentity = {
    username: account.name,
    schema,
    characterSet: response.characterSet,
    capabilityFlags: connection.capabilityFlags,
    mariaDbCapabilities: (response.mariaDbCapabilities & options.mariaDbCapabilities) >>> 0,
    connectAttributes: response.connectAttributes ?? {},
    account,
    backendLogin: options.users.backendLogin(account, proof),
  };
  await handler.open(identity);
  connection.writeOk({ statusFlags: ServerStatus.SERVER_STATUS_AUTOCOMMIT });
  if (hasCapability(connection.capabilityFlags, CapabilityFlags.CLIENT_COMPRESS)) connection.enableCompression(options.maxPacketLength);
  return identity;
}

function serveCommands(connection: ClientConnection, options: FrontendOptions, handler: SessionHandler, identity: ClientIdentity, logger: Logger): void {
  let current = identity;
  // One function for every command: nothing is allocated per command on the way in or out.
  const finish: CommandFinish = (error) => {
    if (error !== undefined) answerFailure(connection, error, logger);
    connection.commandDone();
  };
  connection.serveCommands({
    command(packet) {
      if (packet.sequenceId !== 0) {
        connection.closeWithError(wireErrorFor(new CathodeError(CathodeErrorCode.PACKETS_OUT_OF_ORDER, `command packet with sequence id ${packet.sequenceId}`)), 'framing error: command out of sequence');
        return;
      }
      const { payload } = packet;
      if (payload.length === 0) {
        finish(SqlError.of('ER_MALFORMED_PACKET'));
        return;
      }
      if (payload[0] === CommandByte.COM_QUIT) {
        connection.close('client quit');
        return;
      }
      if (payload[0] === CommandByte.COM_CHANGE_USER) {
        changeUser(connection, options, handler, current, payload, logger).then((changed) => {
          current = changed;
          finish();
        }, finish);
        return;
      }
      try {
        handler.command(payload, packet.framed, finish);
      } catch (error) {
        finish(error);
      }
    },
    failed(error) {
      if (!connection.closed) connection.closeWithError(wireErrorFor(error), `framing error: ${error.message}`);
    },
  });
}

/** An error escaping a command: an ERR packet if nothing of the response was sent yet, else the connection ends. */
function answerFailure(connection: ClientConnection, error: unknown, logger: Logger): void {
  if (connection.closed) return;
  logFailure(logger, error, 'command failed');
  if (!connection.responseStarted) connection.writeError(wireErrorFor(error));
  else connection.destroy(`response interrupted: ${(error as Error).message}`);
}

/**
 * COM_CHANGE_USER. A refusal is an ERR packet even after an auth switch has moved the sequence
 * ids on; as with MariaDB, the client then has a fresh session of the user it was before.
 */
async function changeUser(
  connection: ClientConnection,
  options: FrontendOptions,
  handler: SessionHandler,
  current: ClientIdentity,
  payload: Buffer,
  logger: Logger,
): Promise<ClientIdentity> {
  try {
    return await switchUser(connection, options, handler, current, payload, logger);
  } catch (error) {
    if (!(error instanceof SqlError) || connection.closed) throw error;
    await handler.changeUser(current);
    connection.writeError(error);
    return current;
  }
}

async function switchUser(
  connection: ClientConnection,
  options: FrontendOptions,
  handler: SessionHandler,
  current: ClientIdentity,
  payload: Buffer,
  logger: Logger,
): Promise<ClientIdentity> {
  const request = decodeComChangeUser(payload, connection.capabilityFlags);
  const claimed = await resolveAccount(options, request.username, connection.remoteAddress, logger);
  const context: AuthContext = { connection, users: options.users, rsaKeys: options.rsaKeys };
  // The client proves the password against a fresh scramble only if it is switched; clients sign
  // COM_CHANGE_USER with the handshake's scramble, which Cathode does not keep, so always switch.
  const proof = await authenticate(context, {
    account: claimed,
    clientPlugin: '',
    authResponse: request.authResponse,
    scramble: generateScramble(),
  });
  const account = proof?.account ?? claimed;
  if (!proof || !account) {
    logger.info({ user: loggedName(request.username) }, 'change user: access denied');
    throw SqlError.of('ER_ACCESS_DENIED_ERROR', request.username, connection.remoteAddress, request.authResponse.length > 0 ? 'YES' : 'NO');
  }
  if (request.database !== undefined && !options.users.mayUseSchema(account, request.database)) {
    throw SqlError.of('ER_DBACCESS_DENIED_ERROR', account.name, connection.remoteAddress, request.database);
  }
  const identity: ClientIdentity = {
    ...current,
    username: account.name,
    schema: request.database,
    characterSet: request.characterSet || current.characterSet,
    connectAttributes: request.connectAttributes ?? current.connectAttributes,
    account,
    backendLogin: options.users.backendLogin(account, proof),
  };
  await handler.changeUser(identity);
  connection.writeOk({ statusFlags: ServerStatus.SERVER_STATUS_AUTOCOMMIT });
  return identity;
}
