import type { ClientConnection } from './client-connection.ts';
import type { BackendLogin, UserAccount } from './user-directory.ts';

/** Who a client turned out to be once authenticated. */
export interface ClientIdentity {
  username: string;
  schema: string | undefined;
  characterSet: number;
  capabilityFlags: number;
  /** MariaDB extended capabilities both sides agreed on (0 for MySQL-style clients). */
  mariaDbCapabilities: number;
  connectAttributes: Record<string, string>;
  /** The account that logged in (a configured user or a server account). */
  account?: UserAccount | undefined;
  /** Who its backend connections log in as; the backend's own account when undefined. */
  backendLogin?: BackendLogin | undefined;
}

/** How a handler reports a command answered: with nothing, or with the error to answer with. */
export type CommandFinish = (error?: unknown) => void;

/**
 * The narrow seam between the protocol and routing: the frontend authenticates and frames, the
 * handler decides what each command means. A handler throws SqlError to answer with an error.
 */
export interface SessionHandler {
  /** After authentication, before the OK: check and select the schema. Throw to refuse the login. */
  open(identity: ClientIdentity): Promise<void>;
  /**
   * One command (sequence id 0 packet); the handler writes the complete response, then calls
   * `finish` once: with nothing, or with the error to answer instead (as does throwing before
   * anything was sent). `framed` is the packet as received, header included, when it came whole:
   * it may be forwarded (or patched) as is.
   */
  command(payload: Buffer, framed: Buffer | undefined, finish: CommandFinish): void;
  /** COM_CHANGE_USER passed authentication: start over as `identity`. Throw to refuse. */
  changeUser(identity: ClientIdentity): Promise<void>;
  /** The connection is gone; release everything. */
  closed(reason: string): void;
}

export type SessionHandlerFactory = (connection: ClientConnection) => SessionHandler;
