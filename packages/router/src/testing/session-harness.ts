// Test-only: real ProxySessions behind a loopback listener, over real pools to fake backends.
import net from 'node:net';
import { type BackendPool, BackendPools, MARIADB_FLAVOR_CAPABILITIES } from '@cathode/backend';
import { ClientConnection, type FrontendOptions, UserDirectory, runClientSession, serverCapabilities } from '@cathode/frontend';
import pino from 'pino';
import { ProxySession } from '../proxy-session.ts';
import type { RouterContext } from '../router-context.ts';
import type { DataNode } from '../routing/data-node.ts';
import type { Router } from '../routing/router.ts';
import { SessionRegistry } from '../session/session-registry.ts';
import { FAKE_MARIADB_CAPABILITIES, FAKE_SERVER_CAPABILITIES } from './fake-backend.ts';
import { RawClient, type RawLogin } from './raw-client.ts';
import { ScriptedRouter } from './scripted-router.ts';

export const TEST_USER = 'app';

export interface HarnessOptions {
  /** One data node per backend (ids 0, 1, ... in this order), each with its own physical database. */
  backends: ReadonlyArray<{ name: string; port: number }>;
  poolMax?: number;
  /** How long a checkout may wait for a busy pool: a deadlock fails the test instead of hanging it. */
  waitTimeoutMs?: number;
  /** Defaults to ScriptedRouter over the nodes. */
  router?: (nodes: readonly DataNode[]) => Router;
}

/**
 * Cathode's session core as a reactor runs it: each accepted socket becomes a ClientConnection
 * driven by runClientSession into a ProxySession, sharing pools, registry and router.
 */
export class SessionHarness {
  readonly nodes: readonly DataNode[];
  readonly pools: BackendPools;
  readonly registry = new SessionRegistry();
  readonly context: RouterContext;
  /** Sessions in the order their clients connected. */
  readonly sessions: ProxySession[] = [];
  private readonly server: net.Server;
  private readonly frontend: FrontendOptions;
  /** Per-session context for the next accepted connection (see `connect`). */
  private nextContext: RouterContext | undefined;
  private nextConnectionId = 1;

  private constructor(options: HarnessOptions) {
    const logger = pino({ level: 'silent' });
    const poolOptions = { min: 0, max: options.poolMax ?? 4, connectTimeoutMs: 5_000, waitTimeoutMs: options.waitTimeoutMs ?? 20_000, reconnect: { initialDelayMs: 10, maxDelayMs: 50 } };
    const endpoints = options.backends.map(({ name, port }) => ({ name, host: '127.0.0.1', port, user: 'cathode', password: '' }));
    this.nodes = endpoints.map((backend, id) => ({ id, name: `node${id}`, backend, database: `shard${id}` }));
    this.pools = new BackendPools(endpoints.map((endpoint) => ({ endpoint, options: poolOptions })), logger);
    const users = new UserDirectory([{ name: TEST_USER, plugin: 'mysql_native_password', schemas: ['*'] }]);
    this.context = {
      pools: this.pools,
      router: options.router?.(this.nodes) ?? new ScriptedRouter(this.nodes),
      collations: new Map(),
      users,
      registry: this.registry,
      killRemote: async () => 'unknown',
      connectTimeoutMs: 5_000,
      maxAllowedPacket: 64 * 1024 * 1024,
      logger,
    };
    this.frontend = {
      serverVersion: '10.11.99-MariaDB-fake-Cathode',
      serverCapabilities: serverCapabilities(FAKE_SERVER_CAPABILITIES, false),
      mariaDbCapabilities: FAKE_MARIADB_CAPABILITIES & MARIADB_FLAVOR_CAPABILITIES,
      characterSet: 45,
      users,
      secureContext: undefined,
      rsaKeys: undefined,
      maxPacketLength: 64 * 1024 * 1024,
      authTimeoutMs: 10_000,
      logger,
    };
    // Paused on connect, as the acceptor hands sockets to reactors.
    this.server = net.createServer({ pauseOnConnect: true }, (socket) => this.adopt(socket));
  }

  static async start(options: HarnessOptions): Promise<SessionHarness> {
    const harness = new SessionHarness(options);
    await new Promise<void>((resolve) => harness.server.listen(0, '127.0.0.1', resolve));
    return harness;
  }

  /**
   * A logged-in client. `context` replaces the shared context for this session only (to observe
   * what it does with the pools, say). Connect one client at a time: sessions are matched to
   * clients in accept order.
   */
  async connect(login: Omit<RawLogin, 'username'> & { username?: string }, context?: (shared: RouterContext) => RouterContext): Promise<RawClient> {
    this.nextContext = context?.(this.context);
    const port = (this.server.address() as net.AddressInfo).port;
    try {
      return await RawClient.connect(port, { username: TEST_USER, ...login });
    } finally {
      this.nextContext = undefined;
    }
  }

  /** The pool that serves `session` on `node` (its client's capability flavor). */
  poolOf(session: ProxySession, node: DataNode): BackendPool {
    return session.leaseFor(node).pool;
  }

  stop(): void {
    for (const session of this.sessions) session.connection.destroy('test over');
    this.pools.closeAll();
    // Not waiting for close's callback: ClientConnection moves an accepted socket's handle to a
    // socket of its own (slab reads), so the server never hears of those connections ending.
    this.server.close();
  }

  private adopt(socket: net.Socket): void {
    const connection = new ClientConnection(socket, this.nextConnectionId++, this.frontend.maxPacketLength);
    const session = new ProxySession(connection, this.nextContext ?? this.context);
    this.sessions.push(session);
    void runClientSession(connection, this.frontend, session);
  }
}
