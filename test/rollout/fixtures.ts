import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/** What the rollout tests over HTTP share: a driven baseline's YAML and the test clock. */

/** An Amazon Linux 2023 baseline for one patch group, its rule approving up to `start` (the rollout's cut-off) when given. */
export function baseline(name: string, group: string, start?: string, classifications = ["Security"]): string {
  return `apiVersion: patchctl/v1
kind: PatchBaseline
metadata:
  name: ${name}
spec:
  operatingSystem: AMAZON_LINUX_2023
  approvalRules:
    patchRules:
      - patchFilterGroup:
          patchFilters:
            - key: CLASSIFICATION
              values: [${classifications.join(", ")}]
${start ? `        approveUntilDate: "${start}"\n` : ""}  patchGroups: [${group}]
`;
}

/** Runs `fn` with patchctl's clock at `now` (PATCHCTL_NOW, test-only). */
export async function at<T>(now: string, fn: () => Promise<T>): Promise<T> {
  process.env.PATCHCTL_NOW = now;
  try {
    return await fn();
  } finally {
    delete process.env.PATCHCTL_NOW;
  }
}

/** The Rollout `monthly` over two baselines: dev every day, staging once dev is 95% compliant for 3 days. */
export const TWO_STAGE_ROLLOUT = `apiVersion: patchctl/v1
kind: Rollout
metadata:
  name: monthly
spec:
  stages:
    - name: dev
      baselines: [dev-al2023]
    - name: staging
      baselines: [staging-al2023]
      promoteWhen: {stage: dev, compliantPercent: 95, soak: 3d}
`;

/**
 * A desired-state directory `work/desired` for `owner`: the driven baselines dev-al2023 (group dev)
 * and staging-al2023 (group staging, approving up to 2026-11-01) and TWO_STAGE_ROLLOUT.
 */
export function writeTwoStageRollout(work: string, owner: string): string {
  const dir = path.join(work, "desired");
  mkdirSync(dir);
  writeFileSync(path.join(dir, "patchctl.yaml"), `apiVersion: patchctl/v1\nkind: Config\nowner: ${owner}\n`);
  writeFileSync(path.join(dir, "baselines.yaml"), [baseline("dev-al2023", "dev"), baseline("staging-al2023", "staging", "2026-11-01")].join("---\n"));
  writeFileSync(path.join(dir, "rollout.yaml"), TWO_STAGE_ROLLOUT);
  return dir;
}
