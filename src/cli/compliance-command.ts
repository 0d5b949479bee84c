import { parseArgs } from "node:util";
import { desiredPatchGroups, FAIL_ON, failures, readCompliance, renderComplianceMarkdown, renderComplianceText } from "../compliance/report.js";
import { loadDesiredState } from "../desired/load.js";
import { DiagnosticsError } from "../model/diagnostics.js";
import { CONNECTION_FLAGS, connect } from "./connection.js";
import type { Io } from "./output.js";
import { EXIT, parseOutputFormat, UsageError } from "./output.js";

/** patchctl compliance DIR [--patch-group G …] [--instances] [--fail-on missing,failed,critical] */
export async function complianceCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...CONNECTION_FLAGS, "patch-group": { type: "string", multiple: true }, instances: { type: "boolean" }, "fail-on": { type: "string" } },
  });
  const format = parseOutputFormat(values.output);
  if (positionals.length !== 1) throw new UsageError("usage: patchctl compliance DIR [--patch-group NAME …] [--instances] [--fail-on missing,failed,critical]");
  const failOn = (values["fail-on"] ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (const f of failOn) if (!FAIL_ON[f]) throw new UsageError(`--fail-on: unknown state '${f}' (expected ${Object.keys(FAIL_ON).join(", ")})`);
  const loaded = await loadDesiredState(positionals[0]!);
  if (!loaded.state) throw new DiagnosticsError(loaded.diagnostics);
  const groups = values["patch-group"]?.length ? values["patch-group"] : desiredPatchGroups(loaded.state);
  const conn = await connect(values, loaded.state.config.region);
  try {
    const report = await readCompliance(conn.gateway, { patchGroups: groups, owner: values.owner ?? loaded.state.config.owner, instances: values.instances ?? false });
    const failed = failures(report, failOn);
    if (format === "json") io.out(JSON.stringify({ ...report, failures: failed }, null, 2));
    else if (format === "markdown") io.out(renderComplianceMarkdown(report));
    else io.out(renderComplianceText(report));
    if (failed.length > 0) {
      if (format !== "json") io.err(`compliance gate failed (--fail-on ${failOn.join(",")}):\n  ${failed.join("\n  ")}`);
      return EXIT.ERROR;
    }
    return EXIT.OK;
  } finally {
    await conn.close();
  }
}
