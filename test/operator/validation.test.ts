import { describe, expect, it } from "vitest";
import { loadDesiredState } from "../../src/desired/load.js";
import { CONFIG, writeTree } from "../helpers/tmpdir.js";

/** The operator controls' bad inputs: each an error naming file, line and field. */
async function errorsOf(yaml: string, onlyControls = false): Promise<{ line: number; field?: string; message: string; file: string }[]> {
  const dir = writeTree({ "patchctl.yaml": CONFIG, "r.yaml": yaml });
  const loaded = await loadDesiredState(dir);
  return loaded.diagnostics.filter((d) => d.severity === "error" && (!onlyControls || /previousNames|ignoreFields/.test(d.field ?? ""))).map((d) => ({ file: d.file.replace(`${dir}/`, ""), line: d.line, field: d.field, message: d.message }));
}

const window = (name: string, extra = "", entries = "") => `apiVersion: patchctl/v1
kind: MaintenanceWindow
metadata:
  name: ${name}
${extra}spec:
  schedule: cron(0 0 22 ? * TUE *)
  scheduleTimezone: UTC
  duration: 2
  cutoff: 1
${entries}`;

describe("operator controls: validation", () => {
  it("a ServiceRole cannot have previousNames: IAM cannot rename a role", async () => {
    const errors = await errorsOf(`apiVersion: patchctl/v1
kind: ServiceRole
metadata:
  name: NewRole
  previousNames: [OldRole]
spec:
  managedPolicyArns: [arn:aws:iam::aws:policy/service-role/AmazonSSMMaintenanceWindowRole]
`);
    expect(errors).toEqual([expect.objectContaining({ file: "r.yaml", line: 5, field: "metadata.previousNames", message: expect.stringContaining("IAM cannot rename a role") })]);
  });

  it("a rename chain, and a previous name that is another window's name, are errors with file:line", async () => {
    const errors = await errorsOf([window("WinC", "  previousNames: [WinB]\n"), window("WinB", "  previousNames: [WinA]\n"), window("WinD", "  previousNames: [WinE]\n"), window("WinE")].join("---\n"));
    expect(errors).toEqual([
      expect.objectContaining({ file: "r.yaml", line: 5, field: "metadata.previousNames[0]", message: expect.stringContaining("'WinB' is a rename chain") }),
      expect.objectContaining({ file: "r.yaml", line: 27, field: "metadata.previousNames[0]", message: expect.stringContaining("'WinE' collides with the MaintenanceWindow named WinE") }),
    ]);
  });

  it("two resources renamed from one name, and a target renamed from a sibling's name, are errors", async () => {
    const targets = `  targets:
    - name: tgt-1
      previousNames: [tgt-2]
      targets: [{key: InstanceIds, values: [i-0123456789abcdef0]}]
    - name: tgt-2
      targets: [{key: InstanceIds, values: [i-0123456789abcdef1]}]
`;
    const errors = await errorsOf([window("WinA", "  previousNames: [WinOld]\n", targets), window("WinB", "  previousNames: [WinOld]\n")].join("---\n"));
    expect(errors).toEqual([
      expect.objectContaining({ line: 13, field: "spec.targets[0].previousNames[0]", message: expect.stringContaining("'tgt-2' collides with the target of window WinA named tgt-2") }),
      expect.objectContaining({ line: 22, field: "metadata.previousNames[0]", message: expect.stringContaining("'WinOld' is also a previous name of WinA") }),
    ]);
  });

  it("an ignoreFields path that does not exist for the kind is an error; known paths are accepted", async () => {
    const ok = await errorsOf(window("WinA", "  ignoreFields: [enabled, schedule, tags.Owner]\n"));
    expect(ok).toEqual([]);
    const errors = await errorsOf(window("WinA", "  ignoreFields: [enabled, enabeld, targets]\n", `  tasks:
    - name: scan
      ignoreFields: [runCommand.parameters, priorty]
      taskType: RUN_COMMAND
      taskArn: AWS-RunPatchBaseline
      priority: 1
`), true);
    expect(errors).toEqual([
      expect.objectContaining({ line: 5, field: "metadata.ignoreFields[1]", message: expect.stringContaining("MaintenanceWindow has no field 'enabeld'") }),
      expect.objectContaining({ line: 5, field: "metadata.ignoreFields[2]", message: expect.stringContaining("targets are resources of their own") }),
      expect.objectContaining({ line: 13, field: "spec.tasks[0].ignoreFields[1]", message: expect.stringContaining("window task has no field 'priorty'") }),
    ]);
  });
});
