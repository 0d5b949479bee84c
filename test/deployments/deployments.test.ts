import { DescribePatchBaselinesCommand, GetPatchBaselineCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { loadDesiredState } from "../../src/desired/load.js";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { startHarness } from "../helpers/local.js";
import type { LocalHarness } from "../helpers/local.js";
import { writeTree } from "../helpers/tmpdir.js";

const BASELINE = `apiVersion: patchctl/v1
kind: PatchBaseline
metadata:
  name: staged-baseline
  tags: {Environment: "\${values.environment}"}
spec:
  description: "Approves after \${values.approveAfterDays} days"
  approvalRules:
    patchRules:
      - patchFilterGroup: {patchFilters: [{key: CLASSIFICATION, values: [SecurityUpdates]}]}
        approveAfterDays: \${values.approveAfterDays}
  patchGroups: ["\${values.environment}-servers"]
`;
const PROD_ONLY = `apiVersion: patchctl/v1
kind: MaintenanceWindow
metadata: {name: prod-only-window, deployments: [prod-eu, prod-us]}
spec: {schedule: "cron(0 22 ? * SAT *)", duration: 3, cutoff: 1}
`;

/** The CLI in-process, without the harness's --endpoint-url/--region: each deployment says where it goes. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(args, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

function config(endpoints: { dev: string; staging: string; prod: string; broken: string }): string {
  return `apiVersion: patchctl/v1
kind: Config
owner: staged
deployments:
  - {name: dev, regions: [eu-west-1], endpointUrl: "${endpoints.dev}", values: {approveAfterDays: 0, environment: Development}}
  - {name: staging, regions: [eu-west-1, eu-central-1], endpointUrl: "${endpoints.staging}", values: {approveAfterDays: 7, environment: Staging}}
  - {name: prod-eu, regions: [eu-west-1], endpointUrl: "${endpoints.prod}", values: {approveAfterDays: 14, environment: Production}}
  - {name: prod-us, regions: [us-east-1], endpointUrl: "${endpoints.broken}", values: {approveAfterDays: 14, environment: Production}}
`;
}

async function baselineIn(url: string, region: string): Promise<{ days?: number; description?: string } | undefined> {
  const sdk = new SSMClient({ region, endpoint: url, credentials: { accessKeyId: "AKIA777777777777TEST", secretAccessKey: "x" } });
  try {
    const list = (await sdk.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: "NAME_PREFIX", Values: ["staged-baseline"] }] }))).BaselineIdentities ?? [];
    if (list.length === 0) return undefined;
    const b = await sdk.send(new GetPatchBaselineCommand({ BaselineId: list[0]!.BaselineId }));
    return { days: b.ApprovalRules?.PatchRules?.[0]?.ApproveAfterDays, description: b.Description };
  } finally {
    sdk.destroy();
  }
}

describe("deployments: one desired state, many accounts and regions", () => {
  let h: LocalHarness;
  let staging: LocalSsm;
  let prod: LocalSsm;
  let endpoints: { dev: string; staging: string; prod: string; broken: string };
  beforeAll(async () => {
    h = await startHarness();
    staging = await startLocalSsm({ port: 0 });
    prod = await startLocalSsm({ port: 0 });
    endpoints = { dev: h.url, staging: staging.url, prod: prod.url, broken: "http://127.0.0.1:9" };
    process.env.AWS_ACCESS_KEY_ID = "AKIA777777777777TEST";
  });
  afterAll(async () => {
    await h.close();
    await staging.close();
    await prod.close();
  });

  it("validates per deployment after substitution and names the deployment with each error", async () => {
    const dir = writeTree({ "patchctl.yaml": config(endpoints).replace("approveAfterDays: 7, environment: Staging", "approveAfterDays: 700, environment: Staging"), "b.yaml": BASELINE });
    const result = await loadDesiredState(dir);
    const err = result.diagnostics.find((d) => /<= 360/.test(d.message))!;
    expect(err.message).toMatch(/\(deployment staging\)$/);
    expect(err.line).toBe(11);
    const missing = writeTree({ "patchctl.yaml": config(endpoints).replace(", values: {approveAfterDays: 0, environment: Development}", ""), "b.yaml": BASELINE });
    const undef = await loadDesiredState(missing);
    expect(undef.diagnostics.map((d) => d.message)).toContain("undefined value 'environment' in deployment dev (define it under deployments[].values in patchctl.yaml) (deployment dev)");
    const unknown = writeTree({ "patchctl.yaml": config(endpoints), "w.yaml": PROD_ONLY.replace("prod-us]", "prod-asia]") });
    expect((await loadDesiredState(unknown)).diagnostics.some((d) => /no deployment named 'prod-asia'/.test(d.message))).toBe(true);
    const noDeployments = writeTree({ "patchctl.yaml": "apiVersion: patchctl/v1\nkind: Config\nowner: x\n", "b.yaml": BASELINE });
    expect((await loadDesiredState(noDeployments)).diagnostics.some((d) => /defines no deployments with values/.test(d.message))).toBe(true);
  });

  it("a document without values is checked once but its findings name every deployment it is in; one with values is checked per deployment", async () => {
    const plain = "apiVersion: patchctl/v1\nkind: MaintenanceWindow\nmetadata: {name: plain}\nspec: {schedule: \"cron(0 22 ? * SAT *)\", duration: 3, cutoff: 1, colour: blue}\n";
    const result = await loadDesiredState(writeTree({ "patchctl.yaml": config(endpoints), "w.yaml": plain, "b.yaml": BASELINE }));
    const unknown = result.diagnostics.filter((d) => d.field === "spec.colour");
    expect(unknown).toHaveLength(1);
    expect(unknown[0]!.message).toMatch(/\(deployments dev, staging, prod-eu, prod-us\)$/);
    expect(unknown[0]!).toMatchObject({ file: expect.stringMatching(/w\.yaml$/), line: 4 });
    // The baseline has values: valid in every deployment, so it adds no finding.
    expect(result.diagnostics.filter((d) => /b\.yaml$/.test(d.file))).toEqual([]);
    const limited = await loadDesiredState(writeTree({ "patchctl.yaml": config(endpoints), "w.yaml": plain.replace("{name: plain}", "{name: plain, deployments: [dev]}") }));
    expect(limited.diagnostics.find((d) => d.field === "spec.colour")!.message).toMatch(/\(deployment dev\)$/);
  });

  it("rolls a change out everywhere with per-deployment values; an unreachable deployment is reported while the rest converge", async () => {
    const dir = writeTree({ "patchctl.yaml": config(endpoints), "b.yaml": BASELINE, "w.yaml": PROD_ONLY });
    const apply = await cli(["reconcile", dir, "--auto-approve", "--output", "json"]);
    expect(apply.code).toBe(1);
    const report = JSON.parse(apply.out) as { results: { deployment: string; region: string; exitCode: number; errors: string[] }[] };
    const by = Object.fromEntries(report.results.map((r) => [`${r.deployment}/${r.region}`, r]));
    expect(Object.keys(by).sort()).toEqual(["dev/eu-west-1", "prod-eu/eu-west-1", "prod-us/us-east-1", "staging/eu-central-1", "staging/eu-west-1"]);
    expect(by["prod-us/us-east-1"]!.exitCode).toBe(1);
    expect(by["prod-us/us-east-1"]!.errors.join(" ")).toMatch(/error:/);
    for (const k of ["dev/eu-west-1", "prod-eu/eu-west-1", "staging/eu-central-1", "staging/eu-west-1"]) expect(by[k]!.exitCode, k).toBe(0);

    expect((await baselineIn(h.url, "eu-west-1"))!.days).toBe(0);
    expect((await baselineIn(staging.url, "eu-west-1"))!.days).toBe(7);
    expect((await baselineIn(staging.url, "eu-central-1"))!.days).toBe(7);
    expect(await baselineIn(prod.url, "eu-west-1")).toEqual({ days: 14, description: "Approves after 14 days" });

    // A change rolls out everywhere; the unreachable one keeps failing on its own.
    const changed = writeTree({ "patchctl.yaml": config(endpoints), "b.yaml": BASELINE.replace('"Approves after', '"Now approves after'), "w.yaml": PROD_ONLY });
    const plan = await cli(["reconcile", changed, "--plan", "--deployment", "dev", "--deployment", "staging", "--deployment", "prod-eu"]);
    expect(plan.code).toBe(2);
    expect(plan.out).toMatch(/=== staging \/ eu-central-1 ===/);
    expect(plan.out).toMatch(/Plan: 4 deployment-region\(s\), 0 failed, 4 with changes/);
    expect((await cli(["reconcile", changed, "--deployment", "dev", "--deployment", "staging", "--deployment", "prod-eu", "--auto-approve"])).code).toBe(0);
    expect((await baselineIn(staging.url, "eu-central-1"))!.description).toBe("Now approves after 7 days");
    const drift = await cli(["drift", changed, "--region", "eu-west-1", "--output", "markdown"]);
    expect(drift.code).toBe(0);
    expect(drift.out).toMatch(/## prod-eu \/ eu-west-1/);
    const compliance = await cli(["compliance", changed, "--deployment", "staging"]);
    expect(compliance.code).toBe(0);
    expect(compliance.out).toMatch(/=== staging \/ eu-central-1 ===/);
    expect(compliance.out).toMatch(/Totals across deployments: 0 instance\(s\)/);
  });
});
