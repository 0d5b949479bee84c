/**
 * The current instant. PATCHCTL_NOW (an ISO-8601 date-time) replaces the system clock: for tests
 * that walk a rollout or a freeze across simulated days, never for production use. A value that
 * does not parse is an error, not a silent fall-back to the real clock.
 */
export function currentTime(env: NodeJS.ProcessEnv = process.env): Date {
  const fixed = env.PATCHCTL_NOW;
  if (fixed === undefined || fixed === "") return new Date();
  const at = new Date(fixed);
  if (Number.isNaN(at.getTime())) throw new Error(`PATCHCTL_NOW: '${fixed}' is not an ISO-8601 date-time`);
  return at;
}
