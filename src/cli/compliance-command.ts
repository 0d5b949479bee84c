import { parseArgs } from "node:util";
import { desiredPatchGroups, FAIL_ON, failures, readCompliance, renderComplianceMarkdown, renderComplianceText } from "../compliance/report.js";
import { loadDesiredState } from "../desired/load.js";
import { DiagnosticsError } from "../model/diagnostics.js";
import type { Connection } from "./connection.js";
import { CONNECTION_FLAGS, CONNECTION_HELP, connect } from "./connection.js";
import type { DesiredState } from "../desired/load.js";
import type { ComplianceReport, GroupState } from "../compliance/report.js";
import { forEachDeployment, reportDeployments } from "./deployments.js";
import type { Io } from "./output.js";
import { EXIT, parseOutputFormat, UsageError } from "./output.js";

export const COMPLIANCE_FLAGS = {
  ...CONNECTION_FLAGS,
  "patch-group": { type: "string", multiple: true },
  instances: { type: "boolean" },
  "fail-on": { type: "string" },
  deployment: { type: "string", multiple: true },
  parallel: { type: "string" },
} as const;

export const COMPLIANCE_HELP = `usage: patchctl compliance DIR [--patch-group NAME ...] [--instances] [--fail-on STATES] [options]

Reports patch compliance per patch group of the desired state in DIR (instances missing patches, failed,
non-compliant, pending reboot) and the last executions of the owner's maintenance windows and patch
associations. Reads only.

  --patch-group NAME        only this patch group (repeatable; default: the patch groups in DIR)
  --instances               also report each instance
  --fail-on STATES          exit 1 when an instance is in one of these states, comma-separated:
                            ${Object.keys(FAIL_ON).join(", ")}
  --deployment NAME         only this deployment of patchctl.yaml (repeatable)
  --parallel N              how many deployment-regions run at once (default 4)
  --owner NAME              whose maintenance windows and associations are reported (default: owner: in patchctl.yaml)
  -o, --output FORMAT       text (default), json or markdown
  --region R                the region (default: AWS_REGION, AWS_DEFAULT_REGION, then region: in
                            patchctl.yaml); with deployments, only region R
${CONNECTION_HELP}

With deployments, --profile and --endpoint-url apply only where a deployment sets none.

exit codes: 0 ok, 1 error or an instance in a --fail-on state`;

/** patchctl compliance DIR [--patch-group G …] [--instances] [--fail-on missing,failed,critical] */
export async function complianceCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: COMPLIANCE_FLAGS,
  });
  const format = parseOutputFormat(values.output);
  if (positionals.length !== 1) throw new UsageError("usage: patchctl compliance DIR [--patch-group NAME …] [--instances] [--fail-on missing,failed,critical]");
  const failOn = (values["fail-on"] ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (const f of failOn) if (!FAIL_ON[f]) throw new UsageError(`--fail-on: unknown state '${f}' (expected ${Object.keys(FAIL_ON).join(", ")})`);
  const loaded = await loadDesiredState(positionals[0]!);
  if (!loaded.state) throw new DiagnosticsError(loaded.diagnostics);
  const one = async (state: DesiredState, conn: Connection, out: Io): Promise<number> => {
    const groups = values["patch-group"]?.length ? values["patch-group"] : desiredPatchGroups(state);
    const report = await readCompliance(conn.gateway, { patchGroups: groups, owner: values.owner ?? state.config.owner, instances: values.instances ?? false });
    const failed = failures(report, failOn);
    if (format === "json") out.out(JSON.stringify({ ...report, failures: failed }, null, 2));
    else if (format === "markdown") out.out(renderComplianceMarkdown(report));
    else out.out(renderComplianceText(report));
    totals.push(report);
    if (failed.length > 0) {
      if (format !== "json") out.err(`compliance gate failed (--fail-on ${failOn.join(",")}):\n  ${failed.join("\n  ")}`);
      return EXIT.ERROR;
    }
    return EXIT.OK;
  };
  const totals: ComplianceReport[] = [];
  const state = loaded.state;
  if (state.config.deployments === undefined) {
    const conn = await connect(values, state.config.region);
    try {
      return await one(state, conn, io);
    } finally {
      await conn.close();
    }
  }
  const results = await forEachDeployment(state, values, one);
  const code = reportDeployments(results, format, io, "Compliance");
  if (format !== "json") io.out(renderTotals(totals));
  return code;
}

/** Instance counts summed over every deployment-region. */
function renderTotals(reports: ComplianceReport[]): string {
  const sum = (f: keyof GroupState): number => reports.reduce((a, r) => a + r.groups.reduce((b, g) => b + (g.state[f] ?? 0), 0), 0);
  return `Totals across deployments: ${sum("Instances")} instance(s), ${sum("InstancesWithMissingPatches")} missing, ${sum("InstancesWithFailedPatches")} failed, ${sum("InstancesWithCriticalNonCompliantPatches")} critical non-compliant, ${sum("InstancesWithInstalledPendingRebootPatches")} pending reboot`;
}
