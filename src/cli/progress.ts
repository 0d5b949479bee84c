import type { PatchctlEvent } from "../model/events.js";
import { handlerFor } from "../resources/registry.js";

/** One progress line of an event, or undefined for events the progress line does not show. */
export function progressText(e: PatchctlEvent, callsSoFar: number): string | undefined {
  switch (e.code) {
    case "PATCHCTL_I1001":
      return "listing the account";
    case "PATCHCTL_I1002":
      return `reading ${e.count} ${handlerFor(e.resourceType).noun}(s)`;
    case "PATCHCTL_W1003":
      return `${handlerFor(e.resourceType).noun}s not readable (access denied): ${e.resourceType} resources are not managed in this run`;
    case "PATCHCTL_I3001":
      return `${callsSoFar} call(s): ${e.description}`;
    case "PATCHCTL_I2001":
    case "PATCHCTL_I3002":
    case "PATCHCTL_E3003":
    case "PATCHCTL_E3004":
      return undefined;
  }
}

/**
 * On a TTY, the events as one progress line on stderr (reading, then the calls made so far and the
 * current one), cleared when a change's outcome comes in; off a TTY, nothing (undefined).
 */
export function progressRenderer(): ((e: PatchctlEvent) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let calls = 0;
  return (e) => {
    if (e.code === "PATCHCTL_I3001") calls++;
    const text = progressText(e, calls);
    if (text !== undefined) process.stderr.write(`\r\x1b[2K… ${text}`);
    else if (e.code !== "PATCHCTL_I2001") process.stderr.write("\r\x1b[2K");
  };
}

/** Clears the progress line (before the plan is printed). */
export function clearProgress(): void {
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[2K");
}
