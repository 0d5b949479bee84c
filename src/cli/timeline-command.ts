import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { loadDesiredState } from "../desired/load.js";
import { DiagnosticsError } from "../model/diagnostics.js";
import type { Timeline } from "../timeline/index.js";
import { computeTimeline, renderTimelineHtml, renderTimelineJson, renderTimelineMarkdown, renderTimelineText } from "../timeline/index.js";
import type { Io } from "./output.js";
import { EXIT, parseOutputFormat, UsageError } from "./output.js";

export const TIMELINE_USAGE =
  "usage: patchctl timeline DIR [--released 2026-12-01T00:00Z] [--classification X …] [--severity Y …] [--msrc-severity Z …] [--product P …] [--output text|json|markdown|html] [--out FILE]";

export const TIMELINE_FLAGS = {
  released: { type: "string" },
  classification: { type: "string", multiple: true },
  severity: { type: "string", multiple: true },
  "msrc-severity": { type: "string", multiple: true },
  product: { type: "string", multiple: true },
  output: { type: "string", short: "o" },
  out: { type: "string" },
  now: { type: "string" },
} as const;

export const TIMELINE_HELP = `usage: patchctl timeline DIR [--released DATE-TIME] [--classification X ...] [--severity Y ...]
                        [--msrc-severity Z ...] [--product P ...] [--output FORMAT] [--out FILE]

Shows when a patch released at --released, with the given properties, is approved and installed in
every patch group of the desired state in DIR. Offline: no AWS access.

  --released DATE-TIME      when the patch is released, ISO-8601, e.g. 2026-12-01T00:00Z (default: --now)
  --classification X        the patch's classification, e.g. SecurityUpdates (repeatable or comma-separated)
  --severity Y              its severity (repeatable or comma-separated)
  --msrc-severity Z         its MSRC severity, e.g. Critical (repeatable or comma-separated)
  --product P               its product, e.g. WindowsServer2019 (repeatable or comma-separated)
  -o, --output FORMAT       text (default), json, markdown or html
  --out FILE                write the timeline to FILE instead of standard output
  --now DATE-TIME           the current time, for windows that never run again (default: now)

exit codes: 0 (findings are reported, not failed on), 1 invalid input`;

type TimelineFormat = "text" | "json" | "markdown" | "html";

function parseDate(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(d.getTime())) throw new UsageError(`--${flag} must be an ISO-8601 date or date-time, e.g. 2026-12-01T00:00Z (got '${value}')`);
  return d;
}

export function renderTimeline(t: Timeline, format: TimelineFormat): string {
  switch (format) {
    case "json":
      return renderTimelineJson(t);
    case "markdown":
      return renderTimelineMarkdown(t);
    case "html":
      return renderTimelineHtml(t);
    default:
      return renderTimelineText(t);
  }
}

/**
 * patchctl timeline DIR: when a patch released at --released (default now) with
 * the given properties is approved and installed in every patch group.
 * Exit 0 (findings are reported, not failed on); 1 on invalid input.
 */
export async function timelineCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: TIMELINE_FLAGS });
  if (positionals.length !== 1) throw new UsageError(TIMELINE_USAGE);
  const format: TimelineFormat = values.output === "html" ? "html" : parseOutputFormat(values.output);
  const now = parseDate("now", values.now) ?? new Date();
  const released = parseDate("released", values.released) ?? now;

  const result = await loadDesiredState(positionals[0]!);
  if (!result.state) throw new DiagnosticsError(result.diagnostics);

  const split = (list: string[] | undefined): string[] | undefined => {
    const out = (list ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v.length > 0);
    return out.length ? out : undefined;
  };
  const timeline = computeTimeline(result.state, {
    released,
    now,
    classification: split(values.classification),
    severity: split(values.severity),
    msrcSeverity: split(values["msrc-severity"]),
    product: split(values.product),
  });
  const text = renderTimeline(timeline, format);
  if (values.out) {
    await writeFile(values.out, text.endsWith("\n") ? text : `${text}\n`);
    io.err(`timeline written to ${values.out}`);
  } else {
    io.out(text);
  }
  return EXIT.OK;
}
