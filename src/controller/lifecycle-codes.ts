/**
 * The controller's own log lines (what `watch` does, as opposed to the library's events): each
 * carries a stable `code` in area 4 of the scheme in docs/events.md, next to the `event` name the
 * log has always had. A code names one kind of line for good; the level letter is the line's level
 * (`cycle` is I4006 when the cycle succeeded and E4007 when it failed).
 */
export const LIFECYCLE = {
  listening: { event: "listening", code: "PATCHCTL_I4001" },
  "bootstrap-failed": { event: "bootstrap-failed", code: "PATCHCTL_W4002" },
  "commit-loaded": { event: "commit-loaded", code: "PATCHCTL_I4003" },
  "commit-refused": { event: "commit-refused", code: "PATCHCTL_E4004" },
  "preflight-denied": { event: "preflight-denied", code: "PATCHCTL_W4005" },
  cycle: { event: "cycle", code: "PATCHCTL_I4006" },
  "cycle-failed": { event: "cycle", code: "PATCHCTL_E4007" },
  drift: { event: "drift", code: "PATCHCTL_W4008" },
  "plan-refused": { event: "plan-refused", code: "PATCHCTL_E4009" },
  "changes-deferred": { event: "changes-deferred", code: "PATCHCTL_W4010" },
  "suspend-begins": { event: "suspend-begins", code: "PATCHCTL_W4011" },
  "suspend-ends": { event: "suspend-ends", code: "PATCHCTL_I4012" },
  "freeze-began": { event: "freeze-began", code: "PATCHCTL_W4013" },
  "freeze-ended": { event: "freeze-ended", code: "PATCHCTL_I4014" },
  "lease-wait": { event: "lease-wait", code: "PATCHCTL_W4015" },
  "lease-lost": { event: "lease-lost", code: "PATCHCTL_W4016" },
  "lease-share-release": { event: "lease-share-release", code: "PATCHCTL_I4017" },
  "lease-release-failed": { event: "lease-release-failed", code: "PATCHCTL_W4018" },
  "replica-heartbeat": { event: "replica-heartbeat", code: "PATCHCTL_I4019" },
  "replica-heartbeat-failed": { event: "replica-heartbeat-failed", code: "PATCHCTL_W4020" },
  "replica-leave-failed": { event: "replica-leave-failed", code: "PATCHCTL_W4021" },
  "drift-report": { event: "drift-report", code: "PATCHCTL_I4022" },
  "drift-report-skipped": { event: "drift-report-skipped", code: "PATCHCTL_I4023" },
  "drift-report-failed": { event: "drift-report-failed", code: "PATCHCTL_E4024" },
  "notify-failed": { event: "notify-failed", code: "PATCHCTL_W4025" },
  shutdown: { event: "shutdown", code: "PATCHCTL_I4026" },
  stopped: { event: "stopped", code: "PATCHCTL_I4027" },
} as const satisfies Record<string, { event: string; code: `PATCHCTL_${"I" | "W" | "E"}4${string}` }>;

export type LifecycleLine = keyof typeof LIFECYCLE;

/** The `event` and `code` members of a controller log line. */
export function lifecycle(line: LifecycleLine): { event: string; code: string } {
  return LIFECYCLE[line];
}
