/**
 * The one seam for test-only fault injection into the CLI. Nothing here does anything unless its
 * environment variable is set; normal runs never set them. Each hook is named for the fault it makes.
 *
 * - PATCHCTL_FAULT_KILL_AFTER_WRITES=k: the process kills itself with SIGKILL right after its k-th
 *   acknowledged write to AWS, exactly like kill -9 at that moment (test/reliability/crash.test.ts).
 */
export function killAfterWrites(env: NodeJS.ProcessEnv = process.env): (() => void) | undefined {
  const k = Number(env.PATCHCTL_FAULT_KILL_AFTER_WRITES ?? "");
  if (!Number.isInteger(k) || k < 1) return undefined;
  let writes = 0;
  return () => {
    if (++writes >= k) process.kill(process.pid, "SIGKILL");
  };
}
