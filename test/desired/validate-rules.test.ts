import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadDesiredState } from "../../src/desired/load.js";
import { CONFIG, writeTree } from "../helpers/tmpdir.js";

const BASELINE = `apiVersion: patchctl/v1
kind: PatchBaseline
metadata:
  name: prod-baseline
spec:
  operatingSystem: WINDOWS
  approvalRules:
    patchRules:
      - patchFilterGroup:
          patchFilters:
            - key: CLASSIFICATION
              values: [SecurityUpdates]
        approveAfterDays: 7
  patchGroups: [Database Servers]
`;

const WINDOW = `apiVersion: patchctl/v1
kind: MaintenanceWindow
metadata:
  name: tuesdays
spec:
  schedule: cron(0 22 ? * TUE *)
  duration: 3
  cutoff: 1
  targets:
    - name: db-servers
      targets:
        - key: tag:Patch Group
          values: [Database Servers]
  tasks:
    - name: install
      taskType: RUN_COMMAND
      taskArn: AWS-RunPatchBaseline
      targets:
        - key: WindowTargetIds
          values: [db-servers]
      maxConcurrency: 10%
      maxErrors: "1"
      runCommand:
        parameters:
          Operation: [Install]
`;

async function findings(files: Record<string, string | Uint8Array>) {
  const dir = writeTree(files);
  const result = await loadDesiredState(dir);
  return {
    ok: result.state !== undefined,
    errors: result.diagnostics
      .filter((d) => d.severity === "error")
      .map((d) => ({ ...d, file: path.relative(dir, d.file) })),
  };
}

/** Replace one line of a base document; returns the edited text. */
function edit(base: string, from: string, to: string): string {
  if (!base.includes(from)) throw new Error(`fixture does not contain ${from}`);
  return base.replace(from, to);
}

interface Case {
  name: string;
  files: Record<string, string | Uint8Array>;
  file: string;
  line: number;
  field?: string;
  message: RegExp;
}

const cases: Case[] = [
  { name: "missing Config", files: { "b.yaml": BASELINE }, file: "patchctl.yaml", line: 1, message: /missing patchctl\.yaml/ },
  { name: "Config without owner", files: { "patchctl.yaml": "apiVersion: patchctl/v1\nkind: Config\n" }, file: "patchctl.yaml", line: 1, message: /missing required field 'owner'/ },
  { name: "malformed YAML", files: { "patchctl.yaml": CONFIG, "b.yaml": "apiVersion: patchctl/v1\nkind: [unclosed\n" }, file: "b.yaml", line: 3, message: /./ },
  { name: "duplicate key", files: { "patchctl.yaml": CONFIG, "b.yaml": BASELINE.replace("spec:\n", "spec:\n  description: a\n  description: b\n") }, file: "b.yaml", line: 7, message: /duplicate key/i },
  { name: "empty file", files: { "patchctl.yaml": CONFIG, "e.yaml": "" }, file: "e.yaml", line: 1, message: /empty/ },
  { name: "non-UTF-8 file", files: { "patchctl.yaml": CONFIG, "bad.yaml": new Uint8Array([0x61, 0x3a, 0x20, 0x0a, 0x62, 0x3a, 0xff, 0xfe]) }, file: "bad.yaml", line: 2, message: /not valid UTF-8/ },
  { name: "alias bomb", files: { "patchctl.yaml": CONFIG, "bomb.yaml": "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n" }, file: "bomb.yaml", line: 1, message: /alias/i },
  { name: "unknown kind", files: { "patchctl.yaml": CONFIG, "x.yaml": "apiVersion: patchctl/v1\nkind: PatchBaselin\nmetadata: {name: abc}\nspec: {}\n" }, file: "x.yaml", line: 2, message: /unknown kind "PatchBaselin"/ },
  { name: "wrong apiVersion", files: { "patchctl.yaml": CONFIG, "x.yaml": "apiVersion: patchctl/v2\nkind: PatchBaseline\n" }, file: "x.yaml", line: 1, message: /unsupported apiVersion/ },
  { name: "unknown field", files: { "patchctl.yaml": CONFIG, "b.yaml": edit(BASELINE, "  operatingSystem: WINDOWS\n", "  operatingSystem: WINDOWS\n  approveAfterDay: 3\n") }, file: "b.yaml", line: 7, field: "spec.approveAfterDay", message: /unknown field 'approveAfterDay'/ },
  { name: "bad enum", files: { "patchctl.yaml": CONFIG, "b.yaml": edit(BASELINE, "operatingSystem: WINDOWS", "operatingSystem: WINDOWS_10") }, file: "b.yaml", line: 6, field: "spec.operatingSystem", message: /must be one of/ },
  { name: "approveAfterDays out of range", files: { "patchctl.yaml": CONFIG, "b.yaml": edit(BASELINE, "approveAfterDays: 7", "approveAfterDays: 400") }, file: "b.yaml", line: 13, field: "spec.approvalRules.patchRules[0].approveAfterDays", message: /<= 360/ },
  { name: "bad baseline name", files: { "patchctl.yaml": CONFIG, "b.yaml": edit(BASELINE, "name: prod-baseline", "name: prod baseline!") }, file: "b.yaml", line: 4, field: "metadata.name", message: /must match/ },
  { name: "filter key not valid for OS", files: { "patchctl.yaml": CONFIG, "b.yaml": edit(BASELINE, "key: CLASSIFICATION", "key: PRIORITY") }, file: "b.yaml", line: 11, field: "spec.approvalRules.patchRules[0].patchFilterGroup.patchFilters[0].key", message: /not valid for WINDOWS/ },
  { name: "approveAfterDays on UBUNTU", files: { "patchctl.yaml": CONFIG, "b.yaml": edit(edit(BASELINE, "operatingSystem: WINDOWS", "operatingSystem: UBUNTU"), "key: CLASSIFICATION", "key: PRIORITY") }, file: "b.yaml", line: 13, message: /not supported for UBUNTU/ },
  { name: "rule without approval delay", files: { "patchctl.yaml": CONFIG, "b.yaml": edit(BASELINE, "        approveAfterDays: 7\n", "") }, file: "b.yaml", line: 9, message: /needs approveAfterDays/ },
  { name: "too many filters in a group", files: { "patchctl.yaml": CONFIG, "b.yaml": edit(BASELINE, "              values: [SecurityUpdates]\n", "              values: [SecurityUpdates]\n            - {key: PRODUCT, values: [a]}\n            - {key: MSRC_SEVERITY, values: [b]}\n            - {key: PRODUCT_FAMILY, values: [c]}\n            - {key: PATCH_SET, values: [OS]}\n") }, file: "b.yaml", line: 11, message: /must NOT have more than 4 items/ },
  { name: "patch group on two baselines of one OS", files: { "patchctl.yaml": CONFIG, "a.yaml": BASELINE, "b.yaml": edit(BASELINE, "name: prod-baseline", "name: other-baseline") }, file: "b.yaml", line: 14, message: /already registered to PatchBaseline\/prod-baseline/ },
  { name: "two defaults for one OS", files: { "patchctl.yaml": CONFIG, "a.yaml": BASELINE + "  defaultForOperatingSystem: true\n", "b.yaml": edit(BASELINE, "name: prod-baseline", "name: other-baseline").replace("  patchGroups: [Database Servers]\n", "  defaultForOperatingSystem: true\n") }, file: "b.yaml", line: 14, message: /already the default baseline for WINDOWS/ },
  { name: "duplicate logical name", files: { "patchctl.yaml": CONFIG, "a.yaml": BASELINE, "b.yaml": BASELINE.replace("  patchGroups: [Database Servers]\n", "") }, file: "b.yaml", line: 4, message: /duplicate logical name/ },
  { name: "too many patch groups", files: { "patchctl.yaml": CONFIG, "b.yaml": edit(BASELINE, "patchGroups: [Database Servers]", `patchGroups: [${Array.from({ length: 26 }, (_, i) => `g${i}`).join(", ")}]`) }, file: "b.yaml", line: 14, message: /more than 25 items/ },
  { name: "cutoff not less than duration", files: { "patchctl.yaml": CONFIG, "w.yaml": edit(WINDOW, "cutoff: 1", "cutoff: 3") }, file: "w.yaml", line: 8, field: "spec.cutoff", message: /less than duration/ },
  { name: "duration out of range", files: { "patchctl.yaml": CONFIG, "w.yaml": edit(WINDOW, "duration: 3", "duration: 25") }, file: "w.yaml", line: 7, field: "spec.duration", message: /<= 24/ },
  { name: "bad cron", files: { "patchctl.yaml": CONFIG, "w.yaml": edit(WINDOW, "cron(0 22 ? * TUE *)", "cron(0 22 * * TUE)") }, file: "w.yaml", line: 6, field: "spec.schedule", message: /field|cron/i },
  { name: "bad timezone", files: { "patchctl.yaml": CONFIG, "w.yaml": edit(WINDOW, "  duration: 3\n", "  duration: 3\n  scheduleTimezone: Mars/Olympus\n") }, file: "w.yaml", line: 8, field: "spec.scheduleTimezone", message: /unknown timezone/ },
  { name: "task names a missing target", files: { "patchctl.yaml": CONFIG, "w.yaml": edit(WINDOW, "values: [db-servers]", "values: [dbs]") }, file: "w.yaml", line: 20, message: /no target named 'dbs'/ },
  { name: "RUN_COMMAND without targets", files: { "patchctl.yaml": CONFIG, "w.yaml": edit(WINDOW, "      targets:\n        - key: WindowTargetIds\n          values: [db-servers]\n", "") }, file: "w.yaml", line: 15, message: /RUN_COMMAND tasks need targets/ },
  { name: "targetless task with maxConcurrency", files: { "patchctl.yaml": CONFIG, "w.yaml": edit(edit(edit(WINDOW, "      targets:\n        - key: WindowTargetIds\n          values: [db-servers]\n", ""), "taskType: RUN_COMMAND", "taskType: AUTOMATION"), "runCommand:", "automation:") }, file: "w.yaml", line: 18, field: "spec.tasks[0].maxConcurrency", message: /not allowed on a task without targets/ },
  { name: "InstanceIds without allowUnassociatedTargets", files: { "patchctl.yaml": CONFIG, "w.yaml": edit(WINDOW, "- key: WindowTargetIds\n          values: [db-servers]", "- key: InstanceIds\n          values: [i-0123456789abcdef0]") }, file: "w.yaml", line: 19, message: /allowUnassociatedTargets/ },
  { name: "bad maxConcurrency", files: { "patchctl.yaml": CONFIG, "w.yaml": edit(WINDOW, "maxConcurrency: 10%", "maxConcurrency: 0%") }, file: "w.yaml", line: 21, field: "spec.tasks[0].maxConcurrency", message: /not a valid maxConcurrency/ },
  { name: "invocation block mismatching type", files: { "patchctl.yaml": CONFIG, "w.yaml": edit(WINDOW, "runCommand:", "automation:") }, file: "w.yaml", line: 23, message: /automation does not match taskType RUN_COMMAND/ },
  { name: "reserved tag prefix", files: { "patchctl.yaml": CONFIG, "b.yaml": edit(BASELINE, "  name: prod-baseline\n", "  name: prod-baseline\n  tags:\n    patchctl:owner: someone\n") }, file: "b.yaml", line: 6, message: /reserved/ },
  { name: "too many tasks", files: { "patchctl.yaml": CONFIG, "w.yaml": WINDOW + Array.from({ length: 20 }, (_, i) => `    - {name: extra-${i}, taskType: AUTOMATION, taskArn: AWS-Doc}\n`).join("") }, file: "w.yaml", line: 15, field: "spec.tasks", message: /more than 20 items/ },
  { name: "endDate before startDate", files: { "patchctl.yaml": CONFIG, "w.yaml": edit(WINDOW, "  duration: 3\n", "  duration: 3\n  startDate: 2027-01-01T00:00:00Z\n  endDate: 2026-01-01T00:00:00Z\n") }, file: "w.yaml", line: 9, message: /endDate must be after startDate/ },
];

describe("validation rules: each broken input gives the right file:line error", () => {
  it.each(cases)("$name", async (c) => {
    const { ok, errors } = await findings(c.files);
    expect(ok).toBe(false);
    const match = errors.find((e) => e.file === c.file && c.message.test(e.message));
    expect(match, `no error matching ${c.message} in ${c.file}; got:\n${errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.field ?? ""} ${e.message}`).join("\n")}`).toBeDefined();
    expect(match!.line).toBe(c.line);
    expect(match!.column).toBeGreaterThan(0);
    if (c.field) expect(match!.field).toBe(c.field);
  });

  it("the base fixtures themselves are valid", async () => {
    const { ok, errors } = await findings({ "patchctl.yaml": CONFIG, "b.yaml": BASELINE, "w.yaml": WINDOW });
    expect(errors).toEqual([]);
    expect(ok).toBe(true);
  });

  it("reports every error at once, across files", async () => {
    const { errors } = await findings({
      "patchctl.yaml": CONFIG,
      "b.yaml": edit(BASELINE, "approveAfterDays: 7", "approveAfterDays: 400"),
      "w.yaml": edit(WINDOW, "cutoff: 1", "cutoff: 3"),
    });
    expect(errors.map((e) => e.file).sort()).toEqual(["b.yaml", "w.yaml"]);
  });

  it("refuses a symlink that points outside the directory", async () => {
    const { symlinkSync } = await import("node:fs");
    const outside = writeTree({ "secret.yaml": BASELINE });
    const dir = writeTree({ "patchctl.yaml": CONFIG });
    symlinkSync(path.join(outside, "secret.yaml"), path.join(dir, "link.yaml"));
    const result = await loadDesiredState(dir);
    expect(result.state).toBeUndefined();
    expect(result.diagnostics.some((d) => /points outside/.test(d.message))).toBe(true);
  });

  it("loads multi-document files recursively", async () => {
    const dir = writeTree({ "patchctl.yaml": CONFIG, "nested/deeper/all.yml": `${BASELINE}---\n${WINDOW}` });
    const result = await loadDesiredState(dir);
    expect(result.diagnostics).toEqual([]);
    expect(result.state!.resources.map((r) => r.key)).toEqual(["PatchBaseline/prod-baseline", "MaintenanceWindow/tuesdays"]);
  });
});
