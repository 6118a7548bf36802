import type { ClientConnection } from '@cathode/frontend';
import { SqlError } from '@cathode/wire';
import type { StatementAnalysis } from '../sql/statement-analysis-result.ts';
import type { KillResult, SessionRegistry } from './session-registry.ts';

/** What KILL needs of the session that sends it. */
export interface KillingSession {
  readonly connectionId: number;
  readonly username: string | undefined;
  readonly connection: ClientConnection;
  readonly context: {
    registry: SessionRegistry;
    /** KILL of a session on another reactor, via the main thread. */
    killRemote(connectionId: number, queryOnly: boolean, username: string): Promise<KillResult>;
  };
  writeOk(): void;
}

/**
 * KILL as text. Alone it is Cathode's (ids are Cathode's connection ids); inside a multi-statement
 * text it is refused whole, as running part of the text would answer for statements never run.
 */
export async function killFromText(session: KillingSession, analysis: StatementAnalysis): Promise<void> {
  const [kill] = analysis.kills;
  if (analysis.statementCount > 1) throw SqlError.of('ER_NOT_SUPPORTED_YET', 'KILL inside a multi-statement text');
  if (!('connectionId' in kill.target)) throw SqlError.of('ER_NOT_SUPPORTED_YET', 'KILL QUERY ID');
  const id = kill.target.connectionId;
  if (id > BigInt(Number.MAX_SAFE_INTEGER)) throw SqlError.of('ER_NO_SUCH_THREAD', id.toString());
  await killConnection(session, Number(id), kill.queryOnly);
}

/** KILL [QUERY] n and COM_PROCESS_KILL: answered once the target is gone (or its statement stopped). */
export async function killConnection(session: KillingSession, targetId: number, queryOnly: boolean): Promise<void> {
  const username = session.username ?? '';
  if (targetId === session.connectionId) {
    if (queryOnly) session.writeOk();
    else session.connection.closeWithError(SqlError.of('ER_CONNECTION_KILLED'), 'killed itself');
    return;
  }
  const { registry, killRemote } = session.context;
  const result = registry.get(targetId) ? await registry.kill(targetId, queryOnly, username) : await killRemote(targetId, queryOnly, username);
  if (result === 'unknown') throw SqlError.of('ER_NO_SUCH_THREAD', targetId);
  if (result === 'denied') throw SqlError.of('ER_KILL_DENIED_ERROR', targetId);
  session.writeOk();
}
