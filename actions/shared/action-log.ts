/** Auth0 keeps 256 characters of an Action's console output per line. */
const MAX_LINE = 256;

export type ActionLog = (code: string, detail?: string) => void;

/**
 * One short log line per outcome: the Action, the user id and a reason code. Never an email
 * address, a token or a ticket URL: Auth0 shows these lines to every dashboard administrator
 * and streams them to log sinks.
 */
export function actionLog(action: string, userId: string | undefined): ActionLog {
  return (code, detail) => {
    const line = `${action} user=${userId ?? 'unknown'} ${code}${detail === undefined ? '' : ` ${detail}`}`;
    console.log(line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line);
  };
}

type NeededValue<N> = N extends { ok: true; value: infer V } ? V : never;

/**
 * The settings a path needs, all present, or undefined after logging every missing secret by
 * name (the path is then skipped; the Action goes on without it).
 */
export function settingsFor<const T extends Record<string, { ok: true; value: unknown } | { ok: false; missing: string[] }>>(
  log: ActionLog,
  path: string,
  needs: T,
): { [K in keyof T]: NeededValue<T[K]> } | undefined {
  const missing = Object.values(needs).flatMap((need) => (need.ok ? [] : need.missing));
  if (missing.length > 0) {
    log(`${path}_skipped`, `missing_secret=${[...new Set(missing)].join(',')}`);
    return undefined;
  }
  return Object.fromEntries(Object.entries(needs).map(([key, need]) => [key, need.ok ? need.value : undefined])) as {
    [K in keyof T]: NeededValue<T[K]>;
  };
}
