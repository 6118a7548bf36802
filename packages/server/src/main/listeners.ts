import net from 'node:net';
import type { SessionKind } from '../threads/messages.ts';
import { StartupError } from './startup-error.ts';

/** One port Cathode listens on, and what kind of session its connections get. */
export interface ListenerSpec {
  /** Where it is configured, for error messages (e.g. "listen"). */
  configPath: string;
  host: string;
  port: number;
  backlog: number;
  kind: SessionKind;
}

/** Where a listener's connections go once Cathode serves: a paused socket and its session kind. */
export type Acceptor = (socket: net.Socket, kind: SessionKind) => void;

/**
 * The main thread's listeners: every port bound first (a second instance on a used port must not
 * get as far as the backend), connections held until `serve`, then each handed on with the kind of
 * session its port serves. The client port serves proxy sessions; the binlog relay and the admin
 * port add kinds of their own, each with its own handler on the reactors, reusing the handshake,
 * TLS and authentication unchanged.
 */
export class Listeners {
  private readonly servers: Array<{ spec: ListenerSpec; server: net.Server }> = [];
  private readonly early: Array<{ socket: net.Socket; kind: SessionKind }> = [];
  private acceptor: Acceptor | undefined;

  private constructor() {}

  /** Binds every listener, or closes those bound and says in one line why not. */
  static async bind(specs: readonly ListenerSpec[], onError: (error: Error, spec: ListenerSpec) => void): Promise<Listeners> {
    const listeners = new Listeners();
    try {
      for (const spec of specs) {
        const server = await bindOne(spec);
        server.on('connection', (socket: net.Socket) => listeners.accept(socket, spec.kind));
        server.on('error', (error) => onError(error, spec));
        listeners.servers.push({ spec, server });
      }
    } catch (error) {
      listeners.close();
      throw error;
    }
    return listeners;
  }

  private accept(socket: net.Socket, kind: SessionKind): void {
    if (this.acceptor) this.acceptor(socket, kind);
    else this.early.push({ socket, kind });
  }

  /** From now on connections go to `acceptor`, those that arrived during start-up first. */
  serve(acceptor: Acceptor): void {
    this.acceptor = acceptor;
    for (const { socket, kind } of this.early.splice(0)) acceptor(socket, kind);
  }

  /** The bound address of the listener configured at `configPath`. */
  addressOf(configPath: string): net.AddressInfo | undefined {
    const found = this.servers.find(({ spec }) => spec.configPath === configPath);
    return found?.server.address() as net.AddressInfo | undefined;
  }

  /** No new connections; those that waited for start-up are dropped. */
  close(): void {
    for (const { server } of this.servers) server.close();
    for (const { socket } of this.early.splice(0)) socket.destroy();
  }
}

async function bindOne(spec: ListenerSpec): Promise<net.Server> {
  const server = net.createServer({ pauseOnConnect: true, noDelay: true });
  const { host, port, backlog } = spec;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, backlog }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'EADDRINUSE' ? 'the address is already in use (is another Cathode or server running there?)'
      : code === 'EACCES' ? 'permission denied'
      : code === 'EADDRNOTAVAIL' ? 'the address does not belong to this machine'
      : (error as Error).message;
    throw new StartupError(`cannot listen on ${host}:${port} (${spec.configPath} in the config): ${reason}`, { cause: error });
  }
  return server;
}
