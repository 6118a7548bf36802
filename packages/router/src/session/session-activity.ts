import type { CommandFinish } from '@cathode/frontend';
import { CommandByte } from '@cathode/wire';
import { coarseClock } from './coarse-clock.ts';
import { type ProcessRow, commandName, statementTextOf } from './processlist.ts';

/** Who the session is, as the process list shows it. */
export interface SessionIdentityView {
  id: number;
  user: string;
  host: string;
  db: string | null;
  /** The connection is serving a command. */
  busy: boolean;
  /** When the client's last command was answered. */
  idleSince: number;
  /** A backend is running the command now. */
  relaying: boolean;
  preparedSql: (statementId: number) => string | undefined;
}

/**
 * What a session is doing, for SHOW PROCESSLIST: the command being served and since when. The
 * command's packet is kept as it arrived (a view, nothing copied or decoded) and only until the
 * command is answered, so an idle session holds no packet memory; its text is decoded when a
 * process list asks.
 */
export class SessionActivity {
  private payload: Buffer | undefined;
  /** When the command started, from the coarse clock: one slot copied, nothing allocated per command. */
  private readonly startedAt = new Float64Array(1);
  private readonly clock = coarseClock();
  /** An execute's statement id, read at once: the execute path writes the backend's id over it in the packet. */
  private statementId = 0;
  /** The frontend's finish callback (one per session) and its wrapper: no allocation per command. */
  private finishGiven: CommandFinish | undefined;
  private finishWrapped: CommandFinish | undefined;

  /** A command starts; returns the finish to call when it is answered. */
  begin(payload: Buffer, finish: CommandFinish): CommandFinish {
    this.payload = payload;
    this.startedAt[0] = this.clock[0];
    const command = payload[0];
    if ((command === CommandByte.COM_STMT_EXECUTE || command === CommandByte.COM_STMT_BULK_EXECUTE) && payload.length >= 5) this.statementId = payload.readUInt32LE(1);
    if (finish !== this.finishGiven) {
      this.finishGiven = finish;
      this.finishWrapped = (error) => {
        this.payload = undefined;
        finish(error);
      };
    }
    return this.finishWrapped!;
  }

  row(session: SessionIdentityView, now: number, infoLimit: number): ProcessRow {
    const payload = this.payload;
    if (payload === undefined || !session.busy) {
      return { id: session.id, user: session.user, host: session.host, db: session.db, command: 'Sleep', timeMs: Math.max(0, now - session.idleSince), state: '', info: null };
    }
    return {
      id: session.id,
      user: session.user,
      host: session.host,
      db: session.db,
      command: commandName(payload[0]),
      timeMs: Math.max(0, now - this.startedAt[0]),
      // Cathode knows two states of a command: on a backend, or before (admission, waiting for a connection, answering itself).
      state: session.relaying ? 'Executing' : 'starting',
      info: statementTextOf(payload, this.statementId, infoLimit, session.preparedSql),
    };
  }
}
