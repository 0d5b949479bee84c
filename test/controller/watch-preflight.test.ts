import { DescribePatchBaselinesCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { AwsGateway } from "../../src/aws/gateway.js";
import { Controller } from "../../src/controller/controller.js";
import { GitSource } from "../../src/controller/git-source.js";
import { ControllerMetrics } from "../../src/controller/metrics.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { relaxedPoliciesDir } from "../helpers/relaxed-policies.js";
import { gitIn } from "../helpers/git.js";

const creds = { accessKeyId: "AKIA191919191919TEST", secretAccessKey: "preflight-secret" };
/** A product the endpoint (standing for an account) lists but the shipped catalog does not. */
const NEW_PRODUCT = "WindowsServer2028";

function baseline(product: string, classification: string): string {
  return `apiVersion: patchctl/v1
kind: PatchBaseline
metadata:
  name: windows
spec:
  operatingSystem: WINDOWS
  approvalRules:
    patchRules:
      - patchFilterGroup:
          patchFilters:
            - key: PRODUCT
              values: [${product}]
            - key: CLASSIFICATION
              values: [${classification}]
        approveAfterDays: 7
`;
}

/**
 * watch runs the online pre-flight as reconcile does (docs/preflight.md), once per commit: a product
 * the account lists beyond the shipped catalog is applied; a typo'd value is a refused commit naming
 * the file and line, the last good commit staying in force; cycles on the same commit ask nothing more.
 * Driven cycle by cycle (Controller.cycle) against local-ssm over HTTP.
 */
describe("watch: the online pre-flight", () => {
  it("accepts a value the account lists, refuses a commit with one it does not, and asks once per commit", async () => {
    const server = await startLocalSsm({ port: 0, patchProperties: [{ operatingSystem: "WINDOWS", property: "PRODUCT", values: [NEW_PRODUCT] }] });
    const repo = mkdtempSync(path.join(tmpdir(), "patchctl-watch-preflight-"));
    mkdirSync(path.join(repo, "patching"));
    writeFileSync(path.join(repo, "patching", "patchctl.yaml"), "apiVersion: patchctl/v1\nkind: Config\nowner: watch-preflight\n");
    const file = path.join(repo, "patching", "windows.yaml");
    writeFileSync(file, baseline(NEW_PRODUCT, "SecurityUpdates"));
    const git = gitIn(repo);
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "windows");
    const gateway = new AwsGateway({ region: "us-east-1", endpointUrl: server.url, credentials: creds });
    const sdk = new SSMClient({ region: "us-east-1", endpoint: server.url, credentials: creds });
    const controller = new Controller({
      source: new GitSource(repo, "main", mkdtempSync(path.join(tmpdir(), "patchctl-watch-preflight-work-"))),
      path: "patching",
      region: "us-east-1",
      gateway,
      apply: true,
      intervalMs: 1000,
      maxDeletePercent: 30,
      allowMassDelete: false,
      logger: pino({ level: "silent" }),
      metrics: new ControllerMetrics(),
      notifiers: [],
      policiesDir: relaxedPoliciesDir(),
    });
    const asked = () => gateway.stats.calls.DescribePatchProperties ?? 0;
    try {
      // The shipped catalog does not know the product; the account lists it: the commit is applied.
      const first = await controller.cycle();
      expect(first.ok, JSON.stringify(first)).toBe(true);
      expect(first.applied).toBeGreaterThan(0);
      expect(controller.status.badCommit).toBeUndefined();
      const good = controller.status.lastGoodCommit;
      const names = async () => ((await sdk.send(new DescribePatchBaselinesCommand({}))).BaselineIdentities ?? []).map((b) => b.BaselineName).filter((n) => n === "windows");
      expect(await names()).toEqual(["windows"]);
      const afterFirst = asked();
      expect(afterFirst).toBeGreaterThan(0);

      // The same commit again: no DescribePatchProperties call.
      expect((await controller.cycle()).ok).toBe(true);
      expect(asked()).toBe(afterFirst);

      // A typo'd classification: the commit is refused at its file and line; the last good one stays.
      writeFileSync(file, baseline(NEW_PRODUCT, "SecurityUpdate"));
      git("commit", "-q", "-am", "typo");
      const bad = git("rev-parse", "HEAD");
      const refused = await controller.cycle();
      expect(refused.ok).toBe(true); // the last good commit was reconciled
      expect(controller.status.badCommit?.commit).toBe(bad);
      expect(controller.status.badCommit?.errors.join("\n")).toMatch(/windows\.yaml:\d+:\d+: .*'SecurityUpdate' is not a valid CLASSIFICATION value for WINDOWS in this account \(DescribePatchProperties\)/);
      expect(controller.status.lastGoodCommit).toBe(good);
    } finally {
      await controller.stop();
      sdk.destroy();
      gateway.destroy();
      await server.close();
    }
  });
});
