import { afterEach, describe, expect, it } from "vitest";
import { AwsGateway } from "../../src/aws/gateway.js";
import { startLocalSsm, type LocalSsm } from "../../src/local-ssm/index.js";
import { repoWithDesiredState, testController } from "../helpers/controller-fixture.js";
import { OOB_FILES, OOB_OWNER } from "../helpers/oob-fixture.js";

/**
 * A controller held back (patchctl.yaml suspend:, a change freeze) keeps planning and reporting
 * the drift, but its plan is not applied: between full reads it must cost only a cheap read, as an
 * idle one does, not a cheap read and then a full one every cycle (issue 25: frozen and suspended
 * plans used to read the account in full each cycle, since a plan with changes from a reused
 * snapshot was always made again from a full read).
 */
const creds = { accessKeyId: "AKIA272727272727TEST", secretAccessKey: "held-back-secret" };

let server: LocalSsm | undefined;
const gateways: AwsGateway[] = [];
afterEach(async () => {
  for (const g of gateways.splice(0)) g.destroy();
  await server?.close();
  server = undefined;
});

const CONFIGS: Record<string, string> = {
  suspended: `apiVersion: patchctl/v1\nkind: Config\nowner: ${OOB_OWNER}\nsuspend: "incident 4711"\n`,
  frozen: `apiVersion: patchctl/v1\nkind: Config\nowner: ${OOB_OWNER}\nfreezes:\n  - name: long\n    start: 2020-01-01T00:00:00Z\n    end: 2099-01-01T00:00:00Z\n    reason: a freeze that lasts\n`,
};

describe("held-back cycles read cheaply", () => {
  for (const [name, config] of Object.entries(CONFIGS)) {
    it(`${name}: the cycles after the first full read are cheap, report the drift and apply nothing`, async () => {
      server = await startLocalSsm({ port: 0 });
      const repo = repoWithDesiredState({ ...OOB_FILES, "patchctl.yaml": config }, "patchctl-held-");
      const gateway = new AwsGateway({ region: "us-east-1", endpointUrl: server.url, credentials: creds });
      gateways.push(gateway);
      const controller = testController(repo, gateway, { resyncEvery: 5 });
      const reads: string[] = [];
      const calls: number[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await controller.cycle();
        expect(r.ok, JSON.stringify(r)).toBe(true);
        expect(r.applied ?? 0).toBe(0);
        reads.push(controller.status.reads!.lastRead!);
        calls.push(controller.status.reads!.callsLastCycle);
        expect(controller.status.drifted.length).toBeGreaterThan(0);
        if (name === "suspended") expect(controller.status.suspended?.reason).toMatch(/incident 4711/);
        else expect(controller.status.frozen?.freezes.map((f) => f.name)).toEqual(["long"]);
      }
      expect(reads).toEqual(["full", "cheap", "cheap", "cheap"]);
      // The account is empty (everything is to be created): a full read is its list calls, so a cheap one costs as much, not twice.
      for (const c of calls.slice(1)) expect(c).toBeLessThanOrEqual(calls[0]!);
    }, 60_000);
  }
});
