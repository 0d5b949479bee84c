import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { CliJson } from "../helpers/aws-cli.js";
import { awsCli } from "../helpers/aws-cli.js";
import type { LocalHarness } from "../helpers/local.js";
import { CREDENTIALS, REGION } from "../helpers/local.js";
import { writeTree } from "../helpers/tmpdir.js";

/** The AWS walkthrough's desired state (examples/walkthrough), its files by name, to edit and write. */
export function walkthroughFiles(): Record<string, string> {
  const dir = path.join(import.meta.dirname, "../../examples/walkthrough");
  return Object.fromEntries(["patchctl.yaml", "baseline.yaml", "windows.yaml"].map((f) => [f, readFileSync(path.join(dir, f), "utf8")]));
}

export function writeWalkthrough(edit: (files: Record<string, string>) => void = () => {}): string {
  const files = walkthroughFiles();
  edit(files);
  return writeTree(files);
}

/** An empty --policies directory: the built-in policies at their own severity (deny included). */
export function noUserPolicies(): string {
  return mkdtempSync(path.join(tmpdir(), "patchctl-policies-"));
}

/** Debian's AWS CLI against the harness, as an operator uses it. */
export function operatorCli(h: LocalHarness): (service: "ssm" | "iam", ...args: string[]) => Promise<CliJson> {
  return (service, ...args) => awsCli({ url: h.url, accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: CREDENTIALS.secretAccessKey, region: REGION }, service, ...args);
}

export interface WindowView {
  id: string;
  name: string;
  enabled: boolean;
  schedule: string;
  tags: Record<string, string>;
  targets: { id: string; name: string }[];
  tasks: { id: string; name: string; targetIds: string[] }[];
}

/** Every window in the account with this name, as the AWS CLI sees it. */
export async function windowsNamed(cli: ReturnType<typeof operatorCli>, name: string): Promise<WindowView[]> {
  const ids = ((await cli("ssm", "describe-maintenance-windows", "--filters", `Key=Name,Values=${name}`)).WindowIdentities as { WindowId: string; Name: string }[]).filter((w) => w.Name === name);
  const out: WindowView[] = [];
  for (const { WindowId: id } of ids) {
    const w = await cli("ssm", "get-maintenance-window", "--window-id", id);
    const tags = (await cli("ssm", "list-tags-for-resource", "--resource-type", "MaintenanceWindow", "--resource-id", id)).TagList as { Key: string; Value: string }[];
    const targets = (await cli("ssm", "describe-maintenance-window-targets", "--window-id", id)).Targets as { WindowTargetId: string; Name: string }[];
    const tasks = (await cli("ssm", "describe-maintenance-window-tasks", "--window-id", id)).Tasks as { WindowTaskId: string; Name: string; Targets: { Values: string[] }[] }[];
    out.push({
      id,
      name: String(w.Name),
      enabled: w.Enabled === true,
      schedule: String(w.Schedule),
      tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])),
      targets: targets.map((t) => ({ id: t.WindowTargetId, name: t.Name })),
      tasks: tasks.map((t) => ({ id: t.WindowTaskId, name: t.Name, targetIds: t.Targets.flatMap((x) => x.Values) })),
    });
  }
  return out;
}
