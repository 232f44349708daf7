import { allNeeded, type Needed, type NeededValue } from './settings';

/**
 * Auth0 keeps 256 characters of console output per Action execution, all lines together (docs
 * "Actions Limitations", Logs: "A maximum of 256 characters may be persistently stored for
 * console.log() outputs for each Action"); the local tenant keeps the first 256.
 */
const EXECUTION_LOG_CHARS = 256;
/**
 * Kept free for the outcome lines: notes stop short of it, so the outcome line (the last) is
 * within the first 256 characters whatever came before. 160 holds the longest outcome line
 * (a `*_skipped` line naming every missing secret) or invite-on-registration's two.
 */
const OUTCOME_RESERVE = 160;

export interface ActionLog {
  /**
   * An outcome line: the Action, the user id and a reason code. Always written, cut at the end
   * only if the execution's 256 characters would otherwise overflow.
   */
  (code: string, detail?: string): void;
  /** A note before the outcome (an ignored setting): written while it leaves OUTCOME_RESERVE free, else counted in the outcome's `notes_dropped=`. */
  note(code: string, detail?: string): void;
}

/**
 * One short log line per outcome: the Action, the user id and a reason code. Never an email
 * address, a token or a ticket URL: Auth0 shows these lines to every dashboard administrator
 * and streams them to log sinks. One logger per execution: it counts the characters written.
 */
export function actionLog(action: string, userId: string | undefined): ActionLog {
  let written = 0;
  let dropped = 0;
  const text = (code: string, detail: string | undefined) =>
    `${action} user=${userId ?? 'unknown'} ${code}${detail === undefined ? '' : ` ${detail}`}`;
  // Lines are counted with the newline that separates them from the previous one.
  const cost = (line: string) => line.length + (written > 0 ? 1 : 0);
  const write = (line: string): void => {
    written += cost(line);
    console.log(line);
  };
  const log = ((code: string, detail?: string) => {
    const suffix = dropped > 0 ? ` notes_dropped=${dropped}` : '';
    dropped = 0;
    const line = `${text(code, detail)}${suffix}`;
    const room = EXECUTION_LOG_CHARS - written - (written > 0 ? 1 : 0);
    if (room > 0) write(line.slice(0, room));
  }) as ActionLog;
  log.note = (code, detail) => {
    const line = text(code, detail);
    if (written + cost(line) > EXECUTION_LOG_CHARS - OUTCOME_RESERVE) dropped++;
    else write(line);
  };
  return log;
}

/**
 * The settings a path needs, all present, or undefined after logging every missing secret by
 * name (the path is then skipped; the Action goes on without it).
 */
export function settingsFor<const T extends Record<string, Needed<unknown>>>(
  log: ActionLog,
  path: string,
  needs: T,
): { [K in keyof T]: NeededValue<T[K]> } | undefined {
  const ready = allNeeded(needs);
  if (ready.ok) return ready.value;
  log(`${path}_skipped`, `missing_secret=${ready.missing.join(',')}`);
  return undefined;
}
