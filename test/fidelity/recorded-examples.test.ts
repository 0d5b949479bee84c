import { describe, expect, it } from "vitest";
import { recordedOutputs } from "../helpers/recorded-examples.js";
import { loadDesiredState } from "../../src/desired/load.js";
import { diffSpecs } from "../../src/diff/field-diff.js";
import type { JsonObject, Resource } from "../../src/model/plan.js";
import { expandDesired } from "../../src/reconciler/expand.js";
import { windowFromSsm } from "../../src/resources/maintenance-window.js";
import { baselineFromSsm } from "../../src/resources/patch-baseline.js";
import { handlerFor } from "../../src/resources/registry.js";
import { targetFromSsm, taskFromSsm } from "../../src/resources/window-children.js";
import { writeTree } from "../helpers/tmpdir.js";

/**
 * Responses recorded against the real service, as Debian's AWS CLI ships them in its examples
 * (/usr/lib/python3/dist-packages/awscli/examples/ssm/*.rst), fed through patchctl's read and
 * normalise path and compared with the desired state a user would write for the same resource:
 * there must be no difference. Where our endpoint answers otherwise, these examples win.
 */

async function desired(yaml: string): Promise<Resource[]> {
  const dir = writeTree({ "patchctl.yaml": "apiVersion: patchctl/v1\nkind: Config\nowner: recorded\n", "r.yaml": yaml });
  const loaded = await loadDesiredState(dir);
  expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return expandDesired(loaded.state!);
}

/** The difference between what the service answered and what the user wrote, ownership tags aside. */
function differences(actual: JsonObject, d: Resource): string[] {
  const { tags: _a, ...a } = actual;
  const { tags: _d, ...w } = d.spec;
  return diffSpecs(a, w, handlerFor(d.type)).map((f) => `${f.path}: ${JSON.stringify(f.before)} → ${JSON.stringify(f.after)}`);
}

describe("responses recorded against AWS (the AWS CLI's examples) read back as the desired state, with no diff", () => {
  it("get-patch-baseline: empty global filters, approved/rejected lists and sources, and the defaults it reads back", async () => {
    const [out] = recordedOutputs("get-patch-baseline.rst");
    const [d] = await desired(`apiVersion: patchctl/v1
kind: PatchBaseline
metadata: {name: WindowsPatching}
spec:
  operatingSystem: WINDOWS
  description: Patches for Windows Servers
  approvalRules:
    patchRules:
      - patchFilterGroup:
          patchFilters: [{key: PRODUCT, values: [WindowsServer2016]}]
        complianceLevel: CRITICAL
        approveAfterDays: 0
  patchGroups: [QA, DEV]
`);
    expect(differences(baselineFromSsm(out!, []), d!)).toEqual([]);
  });

  it("get-maintenance-window: the computed NextExecutionTime and dates are not state", async () => {
    const [out] = recordedOutputs("get-maintenance-window.rst");
    const [d] = await desired(`apiVersion: patchctl/v1
kind: MaintenanceWindow
metadata: {name: My-Maintenance-Window}
spec:
  schedule: rate(3 days)
  duration: 6
  cutoff: 1
  allowUnassociatedTargets: true
`);
    expect(differences(windowFromSsm(out!, []), d!)).toEqual([]);
  });

  it("get-maintenance-window-task: TaskParameters {}, an empty Comment and the service-linked role read back as unset", async () => {
    const [out] = recordedOutputs("get-maintenance-window-task.rst");
    const resources = await desired(`apiVersion: patchctl/v1
kind: MaintenanceWindow
metadata: {name: recorded-window}
spec:
  schedule: rate(3 days)
  duration: 6
  cutoff: 1
  targets:
    - name: example-target
      resourceType: INSTANCE
      targets: [{key: InstanceIds, values: [i-1234567890abcdef0]}]
  tasks:
    - name: ExampleTask
      taskType: RUN_COMMAND
      taskArn: AWS-RunPowerShellScript
      targets: [{key: WindowTargetIds, values: [example-target]}]
      priority: 1
      maxConcurrency: "1"
      maxErrors: "1"
      runCommand:
        timeoutSeconds: 600
        parameters:
          commands: [echo Hello]
          executionTimeout: ["3600"]
          workingDirectory: [""]
`);
    const task = resources.find((r) => r.type === "WindowTask")!;
    const targetId = ((out!.Targets as { Values: string[] }[])[0]!.Values[0])!;
    expect(differences(taskFromSsm(out!, new Map([[targetId, "example-target"]])), task)).toEqual([]);
  });

  it("update-maintenance-window-target: an empty Description and OwnerInformation read back as unset", async () => {
    const [out] = recordedOutputs("update-maintenance-window-target.rst");
    const resources = await desired(`apiVersion: patchctl/v1
kind: MaintenanceWindow
metadata: {name: recorded-window}
spec:
  schedule: rate(3 days)
  duration: 6
  cutoff: 1
  targets:
    - name: NewName
      resourceType: INSTANCE
      targets: [{key: InstanceIds, values: [i-1234567890EXAMPLE]}]
`);
    const target = resources.find((r) => r.type === "WindowTarget")!;
    // The update response omits ResourceType; a read (Describe) carries it.
    expect(differences(targetFromSsm({ ResourceType: "INSTANCE", ...out! }), target)).toEqual([]);
  });

  it("describe-maintenance-window-targets: each target as listed", async () => {
    const [out] = recordedOutputs("describe-maintenance-window-targets.rst");
    const listed = out!.Targets as Record<string, unknown>[];
    const resources = await desired(`apiVersion: patchctl/v1
kind: MaintenanceWindow
metadata: {name: recorded-window}
spec:
  schedule: rate(3 days)
  duration: 6
  cutoff: 1
  targets:
    - name: single
      resourceType: INSTANCE
      ownerInformation: Single instance
      targets: [{key: InstanceIds, values: [i-0000293ffdEXAMPLE]}]
    - name: two
      resourceType: INSTANCE
      ownerInformation: Two instances in a list
      targets: [{key: InstanceIds, values: [i-0000293ffdEXAMPLE, i-0cb2b964d3EXAMPLE]}]
`);
    const targets = resources.filter((r) => r.type === "WindowTarget");
    expect(differences(targetFromSsm({ ...listed[0]!, Name: "single" }), targets[0]!)).toEqual([]);
    expect(differences(targetFromSsm({ ...listed[1]!, Name: "two" }), targets[1]!)).toEqual([]);
  });
});
