import type { Logger } from "pino";
import type { PatchctlEvent } from "../model/events.js";
import { eventData, eventName } from "../model/events.js";

/**
 * The library's typed events as the controller's pino log lines: every line carries the event's
 * stable `code` (docs/events.md) and its fields; `event` keeps the names the controller's log has
 * always used for change outcomes (change-applied, change-failed). The read's and plan's progress
 * and each call go to debug: a cycle every few seconds would drown the log in them.
 */
export function logEvent(log: Logger, e: PatchctlEvent): void {
  const line = { event: eventName(e), code: e.code, ...eventData(e) };
  switch (e.code) {
    case "PATCHCTL_I1001":
    case "PATCHCTL_I1002":
    case "PATCHCTL_I2001":
      log.debug(line, eventName(e));
      return;
    case "PATCHCTL_W1003":
      log.warn(line, `${e.resourceType} not readable (${e.reason}): not managed in this cycle`);
      return;
    case "PATCHCTL_I3001":
      log.debug(line, `${e.operation}: ${e.description}`);
      return;
    case "PATCHCTL_I3002":
      log.info({ ...line, event: "change-applied" }, `${e.action} ${e.key}`);
      return;
    case "PATCHCTL_E3003":
      log.error({ ...line, event: "change-failed" }, `${e.key} failed`);
      return;
    case "PATCHCTL_E3004":
      log.error({ ...line, event: "change-failed", error: e.reason }, `${e.key} skipped`);
      return;
  }
}
