/**
 * Whether applying is frozen now: a freeze of the desired state in force, or an SSM Change Calendar
 * (patchctl.yaml `changeCalendars:`) that GetCalendarState says is CLOSED. Computed by the pipeline
 * for every caller (reconcile, apply, each watch cycle); the CLI and the controller render it.
 */
import type { AwsGateway } from "../aws/gateway.js";
import type { ConfigDoc, FreezeSpec } from "../model/desired.js";
import { activeFreezes } from "./periods.js";

/** What a saved plan carries so `apply plan.json` checks the freezes of the desired state it was made from. */
export interface FreezeSettings {
  freezes: FreezeSpec[];
  changeCalendars: string[];
}

export function freezeSettingsOf(config: Pick<ConfigDoc, "freezes" | "changeCalendars">): FreezeSettings {
  return { freezes: config.freezes ?? [], changeCalendars: config.changeCalendars ?? [] };
}

export function hasFreezeSettings(s: FreezeSettings | undefined): s is FreezeSettings {
  return s !== undefined && (s.freezes.length > 0 || s.changeCalendars.length > 0);
}

/** One reason applying is frozen. */
export interface ActiveFreeze {
  kind: "freeze" | "change-calendar";
  /** The freeze's name, or the calendar's name or ARN. */
  name: string;
  reason?: string;
  /** ISO-8601 UTC; when it began (a freeze), unknown for a calendar. */
  since?: string;
  /** ISO-8601 UTC; when it ends (a freeze's end, the calendar's next transition); absent when unknown. */
  until?: string;
  /** A calendar that could not be read: treated as CLOSED (the safe reading). */
  error?: string;
}

export interface FreezeStatus {
  /** When this was evaluated (ISO-8601 UTC). */
  at: string;
  frozen: boolean;
  active: ActiveFreeze[];
  /** The reason given with --ignore-freeze, when it waived a freeze for this run. */
  waived?: string;
}

/** GetCalendarState of one calendar: CLOSED (or unreadable) is a reason to freeze. */
async function calendarState(gateway: AwsGateway, name: string, at: Date): Promise<ActiveFreeze | undefined> {
  try {
    const out = await gateway.call<{ State?: string; NextTransitionTime?: string }>("GetCalendarState", { CalendarNames: [name], AtTime: at.toISOString() });
    if (out.State === "OPEN") return undefined;
    const f: ActiveFreeze = { kind: "change-calendar", name, reason: `change calendar ${name} is ${out.State ?? "in an unknown state"}` };
    if (out.NextTransitionTime) f.until = new Date(out.NextTransitionTime).toISOString();
    return f;
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return { kind: "change-calendar", name, reason: `change calendar ${name} could not be read; treated as CLOSED`, error: message };
  }
}

/** The freezes in force at `at`: the desired state's own, then every CLOSED (or unreadable) calendar. */
export async function freezeStatus(settings: FreezeSettings, gateway: AwsGateway | undefined, at: Date): Promise<FreezeStatus> {
  const active: ActiveFreeze[] = activeFreezes(settings.freezes, at).map((p) => {
    const f: ActiveFreeze = { kind: "freeze", name: p.name, since: p.start.toISOString() };
    if (p.reason !== undefined) f.reason = p.reason;
    if (p.end) f.until = p.end.toISOString();
    return f;
  });
  if (settings.changeCalendars.length > 0) {
    if (!gateway) {
      for (const name of settings.changeCalendars) active.push({ kind: "change-calendar", name, reason: `change calendar ${name} cannot be read without an SSM connection; treated as CLOSED`, error: "no connection" });
    } else {
      const states = await Promise.all(settings.changeCalendars.map((name) => calendarState(gateway, name, at)));
      for (const s of states) if (s) active.push(s);
    }
  }
  return { at: at.toISOString(), frozen: active.length > 0, active };
}

/** "freeze 'year-end' (year-end change freeze) until 2027-01-04T00:00:00Z; change calendar patching-freeze is CLOSED until …". */
export function describeFreezes(status: FreezeStatus): string {
  return status.active
    .map((f) => {
      const until = f.until ? ` until ${f.until}` : f.kind === "freeze" ? " (no end within a year)" : " (no transition scheduled)";
      if (f.kind === "freeze") return `freeze '${f.name}'${f.reason ? ` (${f.reason})` : ""}${until}`;
      if (f.error) return `${f.reason} (${f.error})`;
      return `${f.reason}${until}`;
    })
    .join("; ");
}
