import { DescribeMaintenanceWindowsCommand, DescribeMaintenanceWindowTargetsCommand, DescribeMaintenanceWindowTasksCommand, DescribePatchBaselinesCommand, DescribePatchGroupsCommand, ListTagsForResourceCommand } from "@aws-sdk/client-ssm";
import type { DescribeMaintenanceWindowsCommandOutput, SSMClient } from "@aws-sdk/client-ssm";

export interface Census {
  baselines: { id: string; name: string; owner?: string }[];
  windows: { id: string; name: string; owner?: string; targets: string[]; tasks: string[] }[];
  groups: { group: string; baseline: string }[];
}

/** Everything custom in the account, by name, for duplicate and orphan checks. */
export async function census(sdk: SSMClient): Promise<Census> {
  const baselines: Census["baselines"] = [];
  let token: string | undefined;
  do {
    const page = await sdk.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: "OWNER", Values: ["Self"] }], MaxResults: 100, NextToken: token }));
    for (const b of page.BaselineIdentities ?? []) {
      const tags = (await sdk.send(new ListTagsForResourceCommand({ ResourceType: "PatchBaseline", ResourceId: b.BaselineId }))).TagList ?? [];
      baselines.push({ id: b.BaselineId!, name: b.BaselineName!, owner: tags.find((t) => t.Key === "patchctl:owner")?.Value });
    }
    token = page.NextToken;
  } while (token);
  const windows: Census["windows"] = [];
  token = undefined;
  do {
    const page: DescribeMaintenanceWindowsCommandOutput = await sdk.send(new DescribeMaintenanceWindowsCommand({ MaxResults: 100, NextToken: token }));
    for (const w of page.WindowIdentities ?? []) {
      const tags = (await sdk.send(new ListTagsForResourceCommand({ ResourceType: "MaintenanceWindow", ResourceId: w.WindowId }))).TagList ?? [];
      const targets = (await sdk.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId: w.WindowId, MaxResults: 100 }))).Targets ?? [];
      const tasks = (await sdk.send(new DescribeMaintenanceWindowTasksCommand({ WindowId: w.WindowId, MaxResults: 100 }))).Tasks ?? [];
      windows.push({ id: w.WindowId!, name: w.Name!, owner: tags.find((t) => t.Key === "patchctl:owner")?.Value, targets: targets.map((t) => t.Name ?? t.WindowTargetId!), tasks: tasks.map((t) => t.Name ?? t.WindowTaskId!) });
    }
    token = page.NextToken;
  } while (token);
  const groups = ((await sdk.send(new DescribePatchGroupsCommand({ MaxResults: 100 }))).Mappings ?? []).map((m) => ({ group: m.PatchGroup!, baseline: m.BaselineIdentity!.BaselineName! }));
  return { baselines, windows, groups };
}

export function duplicates(names: string[]): string[] {
  const seen = new Set<string>();
  return names.filter((n) => (seen.has(n) ? true : (seen.add(n), false)));
}
