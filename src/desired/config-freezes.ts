import type { Diagnostic, FieldPath } from "../model/diagnostics.js";
import { formatFieldPath } from "../model/diagnostics.js";
import { freezeInstant } from "../freeze/periods.js";
import { parseSchedule, ScheduleError, validateTimezone } from "../schedule/index.js";
import type { SourceDocument } from "./yaml-source.js";

/** ISO-8601 date-time, with or without an offset (an offset-less one is read in the freeze's timezone). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const HAS_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * patchctl.yaml `freezes:` beyond its schema (which has checked types and unknown fields): a freeze
 * is either fixed (start and end) or recurring (schedule and duration), its dates are real and in
 * order, its schedule is a cron(...) that SSM's schedule parser accepts, its timezone an IANA name,
 * and names are unique. Every finding names the field at its file:line:column.
 */
export function checkConfigFreezes(config: Record<string, unknown>, source: SourceDocument): Diagnostic[] {
  const list = config.freezes;
  if (!Array.isArray(list)) return [];
  const out: Diagnostic[] = [];
  const add = (path: FieldPath, message: string, atKey = false): void => {
    const pos = atKey ? source.locateKey(path) : source.locate(path);
    out.push({ severity: "error", file: pos.file, line: pos.line, column: pos.column, resource: "Config", field: formatFieldPath(path), message, code: "freeze" });
  };
  const names = new Map<string, number>();
  list.forEach((raw, i) => {
    if (!isRecord(raw)) return; // the schema reported it
    const at = (field: string): FieldPath => ["freezes", i, field];
    const name = typeof raw.name === "string" ? raw.name : undefined;
    if (name !== undefined) {
      const prev = names.get(name);
      if (prev !== undefined) add(at("name"), `duplicate freeze name '${name}' (also freezes[${prev}])`);
      else names.set(name, i);
    }
    const has = (k: string): boolean => raw[k] !== undefined;
    const fixed = has("start") || has("end");
    const recurring = has("schedule") || has("duration");
    if (fixed && recurring) {
      add(["freezes", i], "a freeze is either fixed (start and end) or recurring (schedule and duration), not both");
      return;
    }
    if (!fixed && !recurring) {
      add(["freezes", i], "a freeze needs start and end (a fixed period) or schedule and duration (a recurring one)");
      return;
    }
    const timezone = typeof raw.timezone === "string" ? raw.timezone : undefined;
    let zoneOk = true;
    if (timezone !== undefined && !validateTimezone(timezone)) {
      add(at("timezone"), `unknown timezone '${timezone}': expected an IANA name such as UTC, Europe/Berlin or America/New_York`);
      zoneOk = false;
    }
    if (fixed) {
      for (const k of ["start", "end"] as const) if (!has(k)) add(["freezes", i], `a fixed freeze needs ${k} (and ${k === "start" ? "end" : "start"})`);
      const instants: Partial<Record<"start" | "end", number>> = {};
      for (const k of ["start", "end"] as const) {
        const v = raw[k];
        if (typeof v !== "string") continue;
        const t = ISO_DATE_TIME.test(v) ? freezeInstant(v, zoneOk ? timezone : undefined) : undefined;
        if (t === undefined) {
          add(at(k), `'${v}' is not an ISO-8601 date-time (e.g. 2026-12-20T00:00:00Z)`);
          continue;
        }
        if (!HAS_OFFSET.test(v) && timezone === undefined) {
          add(at(k), `'${v}' has no offset: add one (e.g. ${v}Z) or give the freeze a timezone`);
          continue;
        }
        instants[k] = t;
      }
      if (instants.start !== undefined && instants.end !== undefined && instants.end <= instants.start) add(at("end"), "end must be after start");
      return;
    }
    if (!has("schedule")) add(["freezes", i], "a recurring freeze needs schedule (with duration)");
    if (!has("duration")) add(["freezes", i], "a recurring freeze needs duration: the hours each period lasts");
    const schedule = raw.schedule;
    if (typeof schedule === "string") {
      try {
        const parsed = parseSchedule(schedule);
        if (parsed.kind !== "cron") add(at("schedule"), `a freeze schedule must be cron(...), e.g. cron(0 8 ? * MON-FRI *); ${parsed.kind}(...) is not supported (a one-off freeze is start and end)`);
      } catch (err) {
        if (!(err instanceof ScheduleError)) throw err;
        add(at("schedule"), err.message);
      }
    }
  });
  return out;
}
