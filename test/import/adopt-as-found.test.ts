import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import type { Io } from "../../src/cli/output.js";
import { awsCli } from "../helpers/aws-cli.js";
import type { LocalHarness } from "../helpers/local.js";
import { CREDENTIALS, REGION, startHarness } from "../helpers/local.js";

/**
 * Issue 17 §2 and the modeline bullet of §6: the seed walkthrough ("Walkthrough: Patch a server
 * environment (AWS CLI)"), built command for command with Debian's AWS CLI against the local
 * endpoint, is imported, validates, adopts with only the ownership tags and then plans empty,
 * with the built-in policies as shipped (not the relaxed ones the engine tests use): what they
 * deny is exempted "as found", and every later plan lists it.
 */
let h: LocalHarness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

type Json = Record<string, unknown>;

/** The AWS CLI against the local endpoint, one command of the seed. */
function aws(...args: string[]): Promise<Json> {
  return awsCli({ url: h.url, accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: CREDENTIALS.secretAccessKey, region: REGION }, "ssm", ...args);
}

/** patchctl in-process with exactly these arguments (built-in policies, no flags added). */
async function patchctl(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: Io = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) };
  const code = await runCli(args, io);
  return { code, out, err };
}

/** The seed walkthrough (../shared/seeds/000_64a86abfc1c4fb5f.txt), in its order, with its values. */
async function seedWalkthrough(): Promise<void> {
  const baseline = await aws("create-patch-baseline", "--name", "Production-Baseline", "--operating-system", "WINDOWS", "--tags", "Key=Environment,Value=Production",
    "--approval-rules", "PatchRules=[{PatchFilterGroup={PatchFilters=[{Key=MSRC_SEVERITY,Values=[Critical,Important]},{Key=CLASSIFICATION,Values=[SecurityUpdates,Updates,ServicePacks,UpdateRollups,CriticalUpdates]}]},ApproveAfterDays=7}]",
    "--description", "Baseline containing all updates approved for production systems");
  const baselineId = baseline.BaselineId as string;
  await aws("register-patch-baseline-for-patch-group", "--baseline-id", baselineId, "--patch-group", "Database Servers");
  await aws("register-patch-baseline-for-patch-group", "--baseline-id", baselineId, "--patch-group", "Front-End Servers");
  const tuesdays = (await aws("create-maintenance-window", "--name", "Production-Tuesdays", "--tags", "Key=Environment,Value=Production", "--schedule", "cron(0 0 22 ? * TUE *)", "--duration", "1", "--cutoff", "0", "--no-allow-unassociated-targets")).WindowId as string;
  const saturdays = (await aws("create-maintenance-window", "--name", "Production-Saturdays", "--tags", "Key=Environment,Value=Production", "--schedule", "cron(0 0 22 ? * SAT *)", "--duration", "2", "--cutoff", "0", "--no-allow-unassociated-targets")).WindowId as string;
  const db = (await aws("register-target-with-maintenance-window", "--window-id", tuesdays, "--targets", "Key=tag:Patch Group,Values=Database Servers", "--owner-information", "Database Servers", "--resource-type", "INSTANCE")).WindowTargetId as string;
  const fe = (await aws("register-target-with-maintenance-window", "--window-id", saturdays, "--targets", "Key=tag:Patch Group,Values=Front-End Servers", "--owner-information", "Front-End Servers", "--resource-type", "INSTANCE")).WindowTargetId as string;
  for (const [window, target] of [[tuesdays, db], [saturdays, fe]] as const) {
    await aws("register-task-with-maintenance-window", "--window-id", window, "--targets", `Key=WindowTargetIds,Values=${target}`, "--task-arn", "AWS-RunPatchBaseline",
      "--service-role-arn", "arn:aws:iam::12345678:role/MW-Role", "--task-type", "RUN_COMMAND", "--max-concurrency", "2", "--max-errors", "1", "--priority", "1",
      "--task-invocation-parameters", "RunCommand={Parameters={Operation=Install}}");
  }
  await aws("describe-patch-group-state", "--patch-group", "Database Servers");
  await aws("describe-instance-patch-states-for-patch-group", "--patch-group", "Database Servers");
}

/** The words of the command a `next: patchctl …   (why)` line suggests (POSIX single quotes undone). */
function nextCommand(out: string): string[] {
  const line = out.split("\n").find((l) => l.startsWith("next: patchctl "));
  expect(line, out).toBeDefined();
  const command = line!.slice("next: patchctl ".length).split("   (")[0]!;
  return [...command.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!));
}

function yamlFiles(dir: string, rel = ""): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true })
    .filter((e) => !e.name.startsWith("."))
    .flatMap((e) => (e.isDirectory() ? yamlFiles(dir, path.join(rel, e.name)) : e.name.endsWith(".yaml") ? [path.join(rel, e.name)] : []))
    .sort();
}

/** Every file's modeline names a schema inside `dir`, which exists, and whose relative $refs exist there too. */
function expectSelfContainedModelines(dir: string): void {
  const files = yamlFiles(dir);
  expect(files.length).toBeGreaterThan(1);
  const root = path.resolve(dir);
  for (const rel of files) {
    const first = readFileSync(path.join(dir, rel), "utf8").split("\n")[0]!;
    const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    expect(m, `${rel}: ${first}`).not.toBeNull();
    expect(m![1], rel).not.toMatch(/^(\/|[a-z]+:)/); // relative, no URL, no absolute path
    const schema = path.resolve(root, path.dirname(rel), m![1]!);
    expect(schema.startsWith(root + path.sep), `${rel} points outside the directory: ${schema}`).toBe(true);
    expect(existsSync(schema), schema).toBe(true);
    const pending = [schema];
    const seen = new Set<string>();
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      expect(existsSync(file), `${file} ($ref from a copied schema)`).toBe(true);
      for (const ref of readFileSync(file, "utf8").matchAll(/"\$ref"\s*:\s*"([^"#]+)/g)) pending.push(path.resolve(path.dirname(file), ref[1]!));
    }
  }
}

const CUTOFF = "windows of 2 hours or longer stop starting new tasks at least 1 hour before the end; set cutoff to 1 or more (cutoff is 0: must be >= 1)";
const OUTPUT =
  "install tasks must keep their output; set runCommand.outputS3BucketName, or runCommand.cloudWatchOutputConfig.cloudWatchOutputEnabled true (legacy loggingInfo also counts); install associations set outputLocation.s3Location.outputS3BucketName";

/** The walkthrough test runs some 20 AWS CLI commands and 8 patchctl runs: 60-90 s on a loaded 2-core machine, over the default 60 s. */
describe("importing the seed walkthrough as found", () => {
  it("imports, validates, adopts with only the ownership tags, then plans empty and keeps listing the exemptions", async () => {
    await seedWalkthrough();
    const dir = path.join(mkdtempSync(path.join(tmpdir(), "patchctl-seed-")), "patching");
    const connection = ["--endpoint-url", h.url, "--region", REGION];

    const imported = await patchctl(["import", "--out", dir, "--owner", "seed", ...connection]);
    expect(imported.code, imported.err).toBe(0);
    // The denials are exempted as found and listed as follow-ups, one line per resource and policy.
    expect(imported.out).toContain("follow-ups: 3 policy exemptions written");
    const followUps = imported.out.split("\n").filter((l) => / \[(window-cutoff|install-output-logged)\]/.test(l));
    expect(followUps).toEqual([
      `  ${dir}/windows/Production-Saturdays.yaml: MaintenanceWindow/Production-Saturdays [window-cutoff] spec.cutoff: ${CUTOFF}`,
      `  ${dir}/windows/Production-Saturdays.yaml: MaintenanceWindow/Production-Saturdays [install-output-logged] WindowTask/Production-Saturdays/AWS-RunPatchBaseline-Install spec.tasks[0]: ${OUTPUT}`,
      `  ${dir}/windows/Production-Tuesdays.yaml: MaintenanceWindow/Production-Tuesdays [install-output-logged] WindowTask/Production-Tuesdays/AWS-RunPatchBaseline-Install spec.tasks[0]: ${OUTPUT}`,
    ]);
    const saturdays = readFileSync(path.join(dir, "windows/Production-Saturdays.yaml"), "utf8");
    expect(saturdays).toContain(`    patchctl/exempt: |-\n      window-cutoff: imported as found: ${CUTOFF}\n      install-output-logged: imported as found: ${OUTPUT}\nspec:\n`);

    const validated = await patchctl(["validate", dir]);
    expect(validated.code, validated.err).toBe(0);
    expect(validated.out).toContain("Policies: 0 denial(s), 2 warning(s), 3 exemption(s).");

    // The targets and tasks have no Name in SSM (the seed gives none): adoption names each in place,
    // pairing it by content, instead of registering copies and deregistering the originals.
    const targetIds = async (): Promise<string[]> => {
      const windows = (await aws("describe-maintenance-windows")).WindowIdentities as { WindowId: string }[];
      const ids: string[] = [];
      for (const w of windows) {
        ids.push(...((await aws("describe-maintenance-window-targets", "--window-id", w.WindowId)).Targets as { WindowTargetId: string }[]).map((t) => t.WindowTargetId));
        ids.push(...((await aws("describe-maintenance-window-tasks", "--window-id", w.WindowId)).Tasks as { WindowTaskId: string }[]).map((t) => t.WindowTaskId));
      }
      return ids.sort();
    };
    const idsBefore = await targetIds();
    expect(idsBefore).toHaveLength(4);

    // The suggested next command: the adoption plan (exit 2: changes to apply), with the connection flags given to import.
    const adoptPlan = nextCommand(imported.out);
    expect(adoptPlan).toEqual(["reconcile", dir, "--plan", "--adopt", "--endpoint-url", h.url]);
    const planned = await patchctl(adoptPlan);
    expect(planned.err).toBe("");
    expect(planned.code, planned.out).toBe(2);
    expect(planned.out).toContain("Plan: 0 to create, 7 to update, 0 to replace, 0 to delete, 2 unchanged.");
    const json = await patchctl([...adoptPlan, "--output", "json"]);
    const plan = JSON.parse(json.out) as { changes: { key: string; action: string; reason?: string; fields: { path: string; before?: unknown; after?: unknown }[] }[]; conflicts: unknown[]; policy: { summary: Json } };
    expect(plan.conflicts).toEqual([]);
    const active = plan.changes.filter((c) => c.action !== "noop");
    expect(active.map((c) => c.key).sort()).toEqual([
      "MaintenanceWindow/Production-Saturdays",
      "MaintenanceWindow/Production-Tuesdays",
      "PatchBaseline/Production-Baseline",
      "WindowTarget/Production-Saturdays/Front-End-Servers",
      "WindowTarget/Production-Tuesdays/Database-Servers",
      "WindowTask/Production-Saturdays/AWS-RunPatchBaseline-Install",
      "WindowTask/Production-Tuesdays/AWS-RunPatchBaseline-Install",
    ].sort());
    for (const c of active) {
      expect(c.action).toBe("update");
      if (c.key.startsWith("Window")) {
        // Only the Name, written in place.
        expect(c.fields.map((f) => [f.path, f.before, f.after]), c.key).toEqual([["name", undefined, c.key.split("/")[2]]]);
        expect(c.reason).toMatch(/^adopted: the existing (target|task) \S+ is named .* in place \(it had no Name in SSM\)$/);
      } else {
        expect(c.fields.map((f) => [f.path, f.after]).sort(), c.key).toEqual([
          ["tags.patchctl:name", c.key.split("/")[1]],
          ["tags.patchctl:owner", "seed"],
        ]);
      }
    }
    expect(plan.policy.summary).toMatchObject({ denials: 0, exemptions: 3, denied: false });

    const applied = await patchctl(["reconcile", dir, "--adopt", "--auto-approve", ...connection]);
    expect(applied.code, applied.out + applied.err).toBe(0);
    expect(applied.out).toContain("Apply complete: 7 applied, 0 failed");
    expect(await targetIds()).toEqual(idsBefore); // the same targets and tasks, named

    // Every later plan is empty and still lists the debt.
    const again = await patchctl(["reconcile", dir, "--plan", ...connection]);
    expect(again.code, again.out + again.err).toBe(0);
    expect(again.out).toContain("No changes.");
    expect(again.out).toContain("Exemptions (3):");
    expect(again.out).toMatch(/Production-Saturdays\.yaml:\d+: MaintenanceWindow\/Production-Saturdays is exempt from \[window-cutoff\]: imported as found: windows of 2 hours/);
    const againJson = JSON.parse((await patchctl(["reconcile", dir, "--plan", "--output", "json", ...connection])).out) as { policy: { exemptions: { policyId: string; resource: string; reason: string }[] } };
    expect(againJson.policy.exemptions.map((e) => `${e.resource} ${e.policyId} ${e.reason}`).sort()).toEqual([
      `MaintenanceWindow/Production-Saturdays install-output-logged imported as found: ${OUTPUT}`,
      `MaintenanceWindow/Production-Saturdays window-cutoff imported as found: ${CUTOFF}`,
      `MaintenanceWindow/Production-Tuesdays install-output-logged imported as found: ${OUTPUT}`,
    ]);
    const drift = await patchctl(["drift", dir, ...connection]);
    expect(drift.code, drift.out).toBe(0);
    expect(drift.out).toContain("Exemptions (3):");
  }, 240_000);

  it("writes modelines that point at schemas inside the output directory, so it works committed anywhere", async () => {
    await aws("create-patch-baseline", "--name", "Production-Baseline", "--operating-system", "WINDOWS", "--approval-rules", "PatchRules=[{PatchFilterGroup={PatchFilters=[{Key=CLASSIFICATION,Values=[SecurityUpdates]}]},ApproveAfterDays=7}]");
    await aws("create-maintenance-window", "--name", "Production-Tuesdays", "--schedule", "cron(0 0 22 ? * TUE *)", "--duration", "1", "--cutoff", "0", "--no-allow-unassociated-targets");
    const dir = path.join(mkdtempSync(path.join(tmpdir(), "patchctl-seed-")), "patching");
    const imported = await patchctl(["import", "--out", dir, "--owner", "seed", "--endpoint-url", h.url, "--region", REGION]);
    expect(imported.code, imported.err).toBe(0);
    expectSelfContainedModelines(dir);
    expect(readFileSync(path.join(dir, "patchctl.yaml"), "utf8")).toMatch(/^# yaml-language-server: \$schema=\.schemas\/patchctl\.schema\.json\n/);
    expect(readFileSync(path.join(dir, "windows/Production-Tuesdays.yaml"), "utf8")).toMatch(/^# yaml-language-server: \$schema=\.\.\/\.schemas\/patchctl\.schema\.json\n/);
    expect(imported.out).toContain(`  ${dir}/.schemas/ (the JSON Schemas`);
    // The same after the directory moves (a commit checked out elsewhere), and it still validates.
    const moved = path.join(mkdtempSync(path.join(tmpdir(), "patchctl-repo-")), "infra", "patching");
    cpSync(dir, moved, { recursive: true });
    expectSelfContainedModelines(moved);
    expect((await patchctl(["validate", moved])).code).toBe(0);
  });
});
