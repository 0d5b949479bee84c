/**
 * A desired state with one of every kind patchctl manages, each exactly once (the owner's only
 * window, target and task): the out-of-band delete tests remove each behind patchctl's back.
 */
export const OOB_OWNER = "oob";
export const OOB_FILES: Record<string, string> = {
  "patchctl.yaml": `apiVersion: patchctl/v1\nkind: Config\nowner: ${OOB_OWNER}\n`,
  "role.yaml": `apiVersion: patchctl/v1
kind: ServiceRole
metadata:
  name: mw-role
spec:
  roleName: OobMaintenanceWindowRole
  managedPolicyArns: [arn:aws:iam::aws:policy/service-role/AmazonSSMMaintenanceWindowRole]
`,
  "baseline.yaml": `apiVersion: patchctl/v1
kind: PatchBaseline
metadata:
  name: oob-al2
spec:
  operatingSystem: AMAZON_LINUX_2
  approvalRules:
    patchRules:
      - patchFilterGroup:
          patchFilters:
            - {key: CLASSIFICATION, values: [Security]}
        approveAfterDays: 7
  patchGroups: [oob-group]
  defaultForOperatingSystem: true
`,
  "window.yaml": `apiVersion: patchctl/v1
kind: MaintenanceWindow
metadata:
  name: oob-window
spec:
  schedule: cron(0 2 ? * SUN *)
  scheduleTimezone: UTC
  duration: 3
  cutoff: 1
  allowUnassociatedTargets: false
  targets:
    - name: fleet
      resourceType: INSTANCE
      targets: [{key: "tag:Patch Group", values: [oob-group]}]
  tasks:
    - name: install
      taskType: RUN_COMMAND
      taskArn: AWS-RunPatchBaseline
      serviceRole: mw-role
      targets: [{key: WindowTargetIds, values: [fleet]}]
      priority: 1
      maxConcurrency: "1"
      maxErrors: "1"
      runCommand:
        parameters: {Operation: [Install]}
        outputS3BucketName: oob-logs
`,
};

