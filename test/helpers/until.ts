/**
 * Polls `fn` until it gives something other than undefined or false, and resolves with it; fails
 * naming `what` after `ms`. For tests that wait on a child process (watch, the endpoint) to act.
 */
export async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 20_000, pollMs = 200): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
