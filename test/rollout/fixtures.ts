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
