import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "vitest";
import type { DesiredState } from "../../src/desired/load.js";
import { loadDesiredState } from "../../src/desired/load.js";
import type { Policy, PolicyResult } from "../../src/policy/index.js";
import { evaluateSpecPolicies, loadPolicies } from "../../src/policy/index.js";
import type { Change, Plan, Resource } from "../../src/model/plan.js";
import { summarize } from "../../src/model/plan.js";
import { CONFIG, writeTree } from "../helpers/tmpdir.js";

export interface BaselineOptions {
  env?: string;
  days?: number;
  os?: string;
  groups?: string[];
  approved?: string[];
  rejected?: string[];
  annotations?: string;
}

export function baseline(name: string, o: BaselineOptions = {}): string {
  return `apiVersion: patchctl/v1
kind: PatchBaseline
metadata:
  name: ${name}
${o.env ? `  tags: {Environment: ${o.env}}\n` : ""}${o.annotations ? `  annotations:\n${o.annotations}` : ""}spec:
  operatingSystem: ${o.os ?? "WINDOWS"}
  approvalRules:
    patchRules:
      - patchFilterGroup: {patchFilters: [{key: CLASSIFICATION, values: [${(o.os ?? "WINDOWS") === "WINDOWS" ? "SecurityUpdates" : "Security"}]}]}
        approveAfterDays: ${o.days ?? 7}
${o.approved ? `  approvedPatches: [${o.approved.join(", ")}]\n` : ""}${o.rejected ? `  rejectedPatches: [${o.rejected.join(", ")}]\n` : ""}  patchGroups: [${(o.groups ?? [`${name}-group`]).map((g) => JSON.stringify(g)).join(", ")}]
`;
}

export interface WindowOptions {
  name?: string;
  env?: string;
  annotations?: string;
  schedule?: string;
  duration?: number;
  cutoff?: number;
  timezone?: string | false;
  /** The target's selector: default tag:Patch Group = prod-group. */
  targetKey?: string;
  targetValues?: string[];
  /** Task body below `- name: install`, replacing the default install task. */
  task?: string;
  concurrency?: string;
  maxErrors?: string | false;
  output?: string;
}

const OUTPUT_S3 = "        outputS3BucketName: patch-logs\n";

export function windowDoc(o: WindowOptions = {}): string {
  const task =
    o.task ??
    `      taskType: RUN_COMMAND
      taskArn: AWS-RunPatchBaseline
      targets: [{key: WindowTargetIds, values: [servers]}]
      maxConcurrency: "${o.concurrency ?? "10%"}"
${o.maxErrors === false ? "" : `      maxErrors: "${o.maxErrors ?? "1"}"\n`}      runCommand:
        parameters: {Operation: [Install]}
${o.output ?? OUTPUT_S3}`;
  return `apiVersion: patchctl/v1
kind: MaintenanceWindow
metadata:
  name: ${o.name ?? "win"}
${o.env ? `  tags: {Environment: ${o.env}}\n` : ""}${o.annotations ? `  annotations:\n${o.annotations}` : ""}spec:
  schedule: ${o.schedule ?? "cron(0 22 ? * TUE *)"}
${o.timezone === false ? "" : `  scheduleTimezone: ${o.timezone ?? "UTC"}\n`}  duration: ${o.duration ?? 3}
  cutoff: ${o.cutoff ?? 1}
  targets:
    - name: servers
      targets: [{key: ${JSON.stringify(o.targetKey ?? "tag:Patch Group")}, values: [${(o.targetValues ?? ["prod-group"]).map((v) => JSON.stringify(v)).join(", ")}]}]
  tasks:
    - name: install
${task}`;
}

/** A compliant desired state: a production baseline for prod-group and a window patching it. */
export const GOOD = { "b.yaml": baseline("prod", { env: "Production", groups: ["prod-group"] }), "w.yaml": windowDoc() };

export async function stateOf(files: Record<string, string>, config = CONFIG): Promise<{ state: DesiredState; dir: string }> {
  const dir = writeTree({ "patchctl.yaml": config, ...files });
  const loaded = await loadDesiredState(dir);
  expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return { state: loaded.state!, dir };
}

let builtIns: Policy[] | undefined;
export async function builtInPolicies(): Promise<Policy[]> {
  if (!builtIns) {
    const { policies, errors } = await loadPolicies();
    expect(errors).toEqual([]);
    builtIns = policies;
  }
  return builtIns;
}

/** Spec policies (built-ins) on a desired state made of `files` (plus a Config). */
export async function evaluate(files: Record<string, string>, config = CONFIG): Promise<PolicyResult> {
  const { state } = await stateOf(files, config);
  return evaluateSpecPolicies(state, await builtInPolicies());
}

/** "deny:install-concurrency", sorted, for compact expectations. */
export function ids(r: PolicyResult): string[] {
  return r.findings.map((f) => `${f.severity}:${f.policyId}`).sort();
}

export function policyDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "patchctl-policies-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

export function resource(type: Resource["type"], key: string, spec: Resource["spec"], parentKey?: string): Resource {
  return { type, key, name: key.split("/").slice(1).join("/"), spec, ...(parentKey ? { parentKey } : {}) };
}

export function change(action: Change["action"], r: Resource, extra: Partial<Change> = {}): Change {
  return {
    key: r.key,
    type: r.type,
    name: r.name,
    action,
    ...(action === "create" ? {} : { before: r }),
    ...(action === "delete" ? {} : { after: r }),
    fields: [],
    dependsOn: [],
    ...extra,
  };
}

export function planOf(changes: Change[]): Plan {
  return {
    formatVersion: 2,
    patchctlVersion: "0.0.0-test",
    createdAt: "2026-11-23T00:00:00.000Z",
    owner: "test-owner",
    region: "us-east-1",
    stateFingerprint: "f".repeat(64),
    changes,
    conflicts: [],
    unmanaged: [],
    summary: summarize(changes),
    ids: {},
    awsBaselines: {},
    adopt: false,
    readScope: { baselines: [], windows: [] },
  };
}
