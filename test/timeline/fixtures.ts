import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { DesiredState } from "../../src/desired/load.js";
import { loadDesiredState } from "../../src/desired/load.js";
import { CONFIG, writeTree } from "../helpers/tmpdir.js";

export const EXAMPLES = fileURLToPath(new URL("../../examples/", import.meta.url));

export async function load(dir: string): Promise<DesiredState> {
  const result = await loadDesiredState(dir);
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return result.state!;
}

/** Writes a desired-state directory from YAML documents and loads it. */
export async function loadDocs(...docs: string[]): Promise<DesiredState> {
  return load(writeTree({ "patchctl.yaml": CONFIG, "resources.yaml": docs.join("\n---\n") }));
}

export interface BaselineOpts {
  groups?: string[];
  os?: string;
  days?: number;
  untilDate?: string;
  filters?: { key: string; values: string[] }[];
  env?: string;
  isDefault?: boolean;
}

export function baseline(name: string, o: BaselineOpts = {}): string {
  const os = o.os ?? "WINDOWS";
  const filters = o.filters ?? (os === "WINDOWS" ? [{ key: "MSRC_SEVERITY", values: ["Critical", "Important"] }, { key: "CLASSIFICATION", values: ["SecurityUpdates", "CriticalUpdates"] }] : [{ key: "PRODUCT", values: ["*"] }]);
  const approval = o.untilDate !== undefined ? `        approveUntilDate: "${o.untilDate}"\n` : o.days !== undefined ? `        approveAfterDays: ${o.days}\n` : "";
  return `apiVersion: patchctl/v1
kind: PatchBaseline
metadata:
  name: ${name}
${o.env ? `  tags: {Environment: ${o.env}}\n` : ""}spec:
  operatingSystem: ${os}
  approvalRules:
    patchRules:
      - patchFilterGroup:
          patchFilters:
${filters.map((f) => `            - {key: ${f.key}, values: [${f.values.map((v) => JSON.stringify(v)).join(", ")}]}`).join("\n")}
${approval}${o.groups?.length ? `  patchGroups: [${o.groups.map((g) => JSON.stringify(g)).join(", ")}]\n` : ""}${o.isDefault ? "  defaultForOperatingSystem: true\n" : ""}`;
}

export interface WindowOpts {
  schedule: string;
  groups: string[];
  operation?: "Install" | "Scan";
  legacyParameters?: boolean;
  timezone?: string;
  offset?: number;
  startDate?: string;
  endDate?: string;
  duration?: number;
  cutoff?: number;
  enabled?: boolean;
  env?: string;
  tagKey?: string;
}

export function window(name: string, o: WindowOpts): string {
  const op = o.operation ?? "Install";
  const params = o.legacyParameters ? `      taskParameters:\n        Operation: {values: [${op}]}\n` : `      runCommand:\n        parameters: {Operation: [${op}]}\n`;
  return `apiVersion: patchctl/v1
kind: MaintenanceWindow
metadata:
  name: ${name}
${o.env ? `  tags: {Environment: ${o.env}}\n` : ""}spec:
  schedule: ${o.schedule}
${o.timezone ? `  scheduleTimezone: ${o.timezone}\n` : ""}${o.offset !== undefined ? `  scheduleOffset: ${o.offset}\n` : ""}${o.startDate ? `  startDate: "${o.startDate}"\n` : ""}${o.endDate ? `  endDate: "${o.endDate}"\n` : ""}  duration: ${o.duration ?? 3}
  cutoff: ${o.cutoff ?? 1}
${o.enabled === false ? "  enabled: false\n" : ""}  targets:
    - name: Group-Target
      resourceType: INSTANCE
      targets:
        - {key: "${o.tagKey ?? "tag:Patch Group"}", values: [${o.groups.map((g) => JSON.stringify(g)).join(", ")}]}
  tasks:
    - name: ${op}-Task
      taskType: RUN_COMMAND
      taskArn: AWS-RunPatchBaseline
      targets: [{key: WindowTargetIds, values: [Group-Target]}]
      maxConcurrency: "10%"
      maxErrors: "1"
      priority: 1
${params}`;
}
