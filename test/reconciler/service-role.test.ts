import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { mkdtempSync } from "node:fs";
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRoleTagsCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { DescribeMaintenanceWindowsCommand, DescribeMaintenanceWindowTasksCommand, GetMaintenanceWindowTaskCommand } from "@aws-sdk/client-ssm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LocalHarness } from "../helpers/local.js";
import { CREDENTIALS, REGION, startHarness } from "../helpers/local.js";

// ServiceRole end to end over HTTP: IAM through the local endpoint's Query protocol, SSM
// through AWS JSON, both through the real SDK clients patchctl uses.
const SSM_MW_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonSSMMaintenanceWindowRole";
const TRUST = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ssm.amazonaws.com" }, Action: "sts:AssumeRole" }] };

function recipeCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "patchctl-role-"));
  cpSync("examples/recipe", dir, { recursive: true });
  return dir;
}

function edit(file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(file, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`edit of ${file} changed nothing`);
  writeFileSync(file, next);
}

describe("ServiceRole: plan, apply, drift, ownership over HTTP", () => {
  let h: LocalHarness;
  let iam: IAMClient;
  let dir: string;
  beforeEach(async () => {
    h = await startHarness();
    iam = new IAMClient({ region: REGION, endpoint: h.url, credentials: CREDENTIALS });
    dir = recipeCopy();
  });
  afterEach(async () => {
    iam.destroy();
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function taskRoleArns(): Promise<string[]> {
    const windows = (await h.sdk.send(new DescribeMaintenanceWindowsCommand({}))).WindowIdentities ?? [];
    const arns: string[] = [];
    for (const w of windows) {
      for (const t of (await h.sdk.send(new DescribeMaintenanceWindowTasksCommand({ WindowId: w.WindowId }))).Tasks ?? []) {
        arns.push((await h.sdk.send(new GetMaintenanceWindowTaskCommand({ WindowId: w.WindowId, WindowTaskId: t.WindowTaskId }))).ServiceRoleArn ?? "");
      }
    }
    return arns;
  }

  async function planJson(args: string[] = []): Promise<{ code: number; doc: { changes: { key: string; action: string; fields?: { path: string }[] }[]; conflicts: { key: string }[]; unmanaged: { type: string; name: string }[] } }> {
    const r = await h.cli(["reconcile", dir, "--plan", "--output", "json", ...args]);
    return { code: r.code, doc: JSON.parse(r.out) };
  }

  it("creates the role with ownership tags before the tasks that run as it; the next plan is empty", async () => {
    const dry = await h.cli(["reconcile", dir, "--dry-run"]);
    const ops = [...dry.out.matchAll(/^\s+\d+\. (\w+) /gm)].map((m) => m[1]);
    expect(ops.slice(0, 2)).toEqual(["CreateRole", "AttachRolePolicy"]);
    expect(ops.indexOf("RegisterTaskWithMaintenanceWindow")).toBeGreaterThan(ops.indexOf("CreateRole"));

    const apply = await h.cli(["reconcile", dir]);
    expect(apply.err).toBe("");
    expect(apply.code).toBe(0);
    const role = (await iam.send(new GetRoleCommand({ RoleName: "MaintenanceWindowRole" }))).Role!;
    expect(JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!))).toEqual(TRUST);
    const tags = (await iam.send(new ListRoleTagsCommand({ RoleName: "MaintenanceWindowRole" }))).Tags ?? [];
    expect(tags).toEqual(expect.arrayContaining([{ Key: "patchctl:owner", Value: "recipe" }, { Key: "patchctl:name", Value: "maintenance-window-role" }]));
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "MaintenanceWindowRole" }))).AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([SSM_MW_POLICY]);
    expect(await taskRoleArns()).toEqual([role.Arn, role.Arn]);

    const again = await h.cli(["reconcile", dir, "--plan"]);
    expect(again.out).toMatch(/No changes/);
    expect(again.code).toBe(0);
  });

  it("a trust policy rewritten with the same meaning is not drift; an attached policy is, and is detached", async () => {
    expect((await h.cli(["reconcile", dir])).code).toBe(0);
    // Same meaning: other key order, a one-element list for Action and Service, no Version first.
    const same = { Statement: { Action: ["sts:AssumeRole"], Principal: { Service: ["ssm.amazonaws.com"] }, Effect: "Allow" }, Version: "2012-10-17" };
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: "MaintenanceWindowRole", PolicyDocument: JSON.stringify(same) }));
    expect((await h.cli(["drift", dir])).code).toBe(0);

    await iam.send(new AttachRolePolicyCommand({ RoleName: "MaintenanceWindowRole", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }));
    const drift = await h.cli(["drift", dir, "--output", "json"]);
    expect(drift.code).toBe(2);
    const changes = (JSON.parse(drift.out) as { changes: { key: string; action: string; fields: { path: string }[] }[] }).changes;
    expect(changes.map((c) => [c.key, c.action])).toEqual([["ServiceRole/maintenance-window-role", "update"]]);
    expect(changes[0]!.fields.map((f) => f.path)).toEqual(["managedPolicyArns"]);

    expect((await h.cli(["reconcile", dir])).code).toBe(0);
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "MaintenanceWindowRole" }))).AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([SSM_MW_POLICY]);
    expect((await h.cli(["drift", dir])).code).toBe(0);
  });

  it("an unowned role with the desired name is a conflict, adopted with --adopt by tagging it; a foreign SSM role is unmanaged and untouched", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "MaintenanceWindowRole", AssumeRolePolicyDocument: JSON.stringify(TRUST), Description: "Runs the recipe's patching tasks (AWS-RunPatchBaseline)" }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "MaintenanceWindowRole", PolicyArn: SSM_MW_POLICY }));
    await iam.send(new CreateRoleCommand({ RoleName: "HandMadeRole", AssumeRolePolicyDocument: JSON.stringify(TRUST) }));
    const before = await iam.send(new GetRoleCommand({ RoleName: "HandMadeRole" }));

    const conflicted = await planJson();
    expect(conflicted.code).toBe(1);
    expect(conflicted.doc.conflicts.map((c) => c.key)).toEqual(["ServiceRole/maintenance-window-role"]);
    expect(conflicted.doc.unmanaged).toContainEqual(expect.objectContaining({ type: "ServiceRole", name: "HandMadeRole" }));

    const adoptPlan = await planJson(["--adopt"]);
    const roleChange = adoptPlan.doc.changes.find((c) => c.key === "ServiceRole/maintenance-window-role")!;
    expect(roleChange.action).toBe("update");
    expect(roleChange.fields!.every((f) => f.path.startsWith("tags"))).toBe(true);
    expect((await h.cli(["reconcile", dir, "--adopt"])).code).toBe(0);
    expect((await h.cli(["reconcile", dir, "--plan"])).code).toBe(0);

    const after = await iam.send(new GetRoleCommand({ RoleName: "HandMadeRole" }));
    expect(after.Role).toEqual(before.Role);
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: "HandMadeRole" }))).Tags ?? []).toEqual([]);
  });

  it("a new path replaces the role and re-points its tasks; removing it deletes it after its tasks moved off", async () => {
    expect((await h.cli(["reconcile", dir])).code).toBe(0);
    edit(path.join(dir, "service-role.yaml"), "  roleName: MaintenanceWindowRole\n", "  roleName: MaintenanceWindowRole\n  path: /patching/\n");
    const plan = await planJson();
    expect(plan.code).toBe(2);
    expect(plan.doc.changes.filter((c) => c.action !== "noop").map((c) => [c.key, c.action]).sort()).toEqual([
      ["ServiceRole/maintenance-window-role", "deleteThenCreate"],
      ["WindowTask/patch-window/PatchingTask", "update"],
      ["WindowTask/scan-window/ScanningTask", "update"],
    ]);
    expect((await h.cli(["reconcile", dir])).code).toBe(0);
    const role = (await iam.send(new GetRoleCommand({ RoleName: "MaintenanceWindowRole" }))).Role!;
    expect(role.Arn).toMatch(/:role\/patching\/MaintenanceWindowRole$/);
    expect(await taskRoleArns()).toEqual([role.Arn, role.Arn]);

    // The tasks now run as a role given by ARN; the ServiceRole leaves the desired state.
    const external = "arn:aws:iam::123456789012:role/SharedPatchingRole";
    for (const f of ["windows.yaml"]) edit(path.join(dir, f), /serviceRole: maintenance-window-role/g, `serviceRoleArn: ${external}`);
    rmSync(path.join(dir, "service-role.yaml"));
    const removal = await h.cli(["reconcile", dir, "--dry-run", "--allow-mass-delete"]);
    const ops = [...removal.out.matchAll(/^\s+\d+\. (\w+) /gm)].map((m) => m[1]);
    expect(ops.indexOf("DeleteRole")).toBeGreaterThan(ops.lastIndexOf("UpdateMaintenanceWindowTask"));
    expect(ops.indexOf("DetachRolePolicy")).toBeLessThan(ops.indexOf("DeleteRole"));
    expect((await h.cli(["reconcile", dir, "--allow-mass-delete"])).code).toBe(0);
    await expect(iam.send(new GetRoleCommand({ RoleName: "MaintenanceWindowRole" }))).rejects.toMatchObject({ name: "NoSuchEntityException" });
    expect(await taskRoleArns()).toEqual([external, external]);
    expect((await h.cli(["reconcile", dir, "--plan"])).code).toBe(0);
  });
  it("tasks naming a role by ARN or by logical name are the same thing: adopting the role changes only its tags", async () => {
    // The seed recipe's order: the role made by hand, the windows pointing at its ARN.
    const created = await iam.send(new CreateRoleCommand({ RoleName: "MaintenanceWindowRole", AssumeRolePolicyDocument: JSON.stringify(TRUST), Description: "Runs the recipe's patching tasks (AWS-RunPatchBaseline)" }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "MaintenanceWindowRole", PolicyArn: SSM_MW_POLICY }));
    const arn = created.Role!.Arn!;
    const roleFile = path.join(dir, "service-role.yaml");
    const roleYaml = readFileSync(roleFile, "utf8");
    rmSync(roleFile);
    edit(path.join(dir, "windows.yaml"), /serviceRole: maintenance-window-role/g, `serviceRoleArn: ${arn}`);
    expect((await h.cli(["reconcile", dir])).code).toBe(0);
    expect(await taskRoleArns()).toEqual([arn, arn]);

    // Now the role joins the desired state and the tasks name it: only the tags are added.
    writeFileSync(roleFile, roleYaml);
    edit(path.join(dir, "windows.yaml"), new RegExp(`serviceRoleArn: ${arn.replace(/[/.]/g, "\\$&")}`, "g"), "serviceRole: maintenance-window-role");
    const adoptPlan = await planJson(["--adopt"]);
    expect(adoptPlan.doc.changes.filter((c) => c.action !== "noop").map((c) => c.key)).toEqual(["ServiceRole/maintenance-window-role"]);
    expect((await h.cli(["reconcile", dir, "--adopt"])).code).toBe(0);
    expect((await h.cli(["reconcile", dir, "--plan"])).code).toBe(0);

    // A task that keeps giving the managed role's ARN is not drift either.
    edit(path.join(dir, "windows.yaml"), "serviceRole: maintenance-window-role", `serviceRoleArn: ${arn}`);
    const again = await h.cli(["reconcile", dir, "--plan"]);
    expect(again.out).toMatch(/No changes/);
    expect(again.code).toBe(0);
    expect(await taskRoleArns()).toEqual([arn, arn]);
  });
});
