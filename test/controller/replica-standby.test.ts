import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AwsGateway } from "../../src/aws/gateway.js";
import { CommitLoader } from "../../src/controller/commit-loader.js";
import { GitSource } from "../../src/controller/git-source.js";
import { ReplicaShare } from "../../src/controller/replicas.js";
import { startLocalSsm, type LocalSsm } from "../../src/local-ssm/index.js";
import { Lease } from "../../src/reconciler/lease.js";
import { repoWithDesiredState, testController } from "../helpers/controller-fixture.js";
import { OOB_FILES, OOB_OWNER } from "../helpers/oob-fixture.js";

/**
 * Replicas of `watch` over many deployment-regions (bench scenario 8): a controller outside its
 * replica's share must cost nothing per interval, and a process loads each commit once for all its
 * controllers. Driven cycle by cycle against local-ssm over HTTP.
 */
const creds = { accessKeyId: "AKIA262626262626TEST", secretAccessKey: "standby-secret" };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class CountingSource extends GitSource {
  fetches = 0;
  checkouts = 0;
  override async fetch(): Promise<string> {
    this.fetches++;
    return super.fetch();
  }
  override async checkout(commit: string): Promise<void> {
    this.checkouts++;
    return super.checkout(commit);
  }
}

let server: LocalSsm | undefined;
const gateways: AwsGateway[] = [];
afterEach(async () => {
  for (const g of gateways.splice(0)) g.destroy();
  await server?.close();
  server = undefined;
});

describe("replicas: a standby costs nothing, a commit is loaded once per process", () => {
  it("a controller whose lease another replica holds asks once, then not again before that lease expires; it then takes it and reconciles", async () => {
    server = await startLocalSsm({ port: 0 });
    const gateway = new AwsGateway({ region: "us-east-1", endpointUrl: server.url, credentials: creds });
    gateways.push(gateway);
    // Another replica (on another host: not seen as dead here) holds the lease for 8 s (long
    // enough for the first cycles on a loaded machine, which clone and load the repository).
    const other = new Lease(gateway, OOB_OWNER, "other-host:1:a", 8000);
    await other.acquire();
    const expiresAt = Date.parse((await other.read())!.expiresAt);
    const share = new ReplicaShare(gateway, "this-host:2:b", ["/us-east-1"], 8000);
    const controller = testController(repoWithDesiredState(OOB_FILES, "patchctl-standby-"), gateway, { leaseTtlMs: 8000, share });
    const calls = () => ({ ...gateway.stats.calls });
    const before = calls();
    const first = await controller.cycle();
    expect(first.ok).toBe(true);
    expect(controller.status.holdsLease).toBe(false);
    const afterFirst = calls();
    // Only the lease was asked for: no pre-flight (DescribePatchProperties), no read of the account.
    const asked = Object.keys(afterFirst).filter((op) => (afterFirst[op] ?? 0) > (before[op] ?? 0));
    expect(asked.sort()).toEqual(["GetParameter", "PutParameter"]);
    // The next cycles, before the other's lease expires: no call at all.
    for (let i = 0; i < 3; i++) expect((await controller.cycle()).ok).toBe(true);
    expect(Date.now()).toBeLessThan(expiresAt); // (else the test proved nothing)
    expect(calls()).toEqual(afterFirst);
    // Once it expires, the lease is taken and the deployment-region reconciled (everything created).
    await sleep(expiresAt - Date.now() + 200);
    const taken = await controller.cycle();
    expect(controller.status.holdsLease).toBe(true);
    expect(taken.ok, JSON.stringify(taken)).toBe(true);
    expect(taken.applied).toBeGreaterThan(0);
    await controller.releaseLease();
  }, 60_000);

  it("a standby asks again at once when the number of live replicas changes", async () => {
    server = await startLocalSsm({ port: 0 });
    const gateway = new AwsGateway({ region: "us-east-1", endpointUrl: server.url, credentials: creds });
    gateways.push(gateway);
    const other = new Lease(gateway, OOB_OWNER, "other-host:1:a", 60_000);
    await other.acquire();
    const share = new ReplicaShare(gateway, "this-host:2:b", ["/us-east-1"], 60_000);
    await share.heartbeat();
    // The other replica announces itself: two live now.
    const otherShare = new ReplicaShare(gateway, "other-host:1:a", ["/us-east-1"], 60_000);
    await otherShare.heartbeat();
    const controller = testController(repoWithDesiredState(OOB_FILES, "patchctl-standby-"), gateway, { leaseTtlMs: 60_000, share });
    await share.heartbeat();
    expect(share.liveReplicas).toBe(2);
    await controller.cycle();
    expect(controller.status.holdsLease).toBe(false);
    const waiting = gateway.stats.calls.GetParameter ?? 0;
    await controller.cycle();
    expect(gateway.stats.calls.GetParameter ?? 0).toBe(waiting);
    // The other replica leaves cleanly (its lease and heartbeat deleted): one live replica.
    await other.release();
    await otherShare.leave();
    await share.heartbeat();
    expect(share.liveReplicas).toBe(1);
    const r = await controller.cycle();
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(controller.status.holdsLease).toBe(true);
    await controller.releaseLease();
  }, 60_000);

  it("controllers sharing one loader fetch, check out and load a commit once", async () => {
    const repo = repoWithDesiredState(OOB_FILES, "patchctl-standby-");
    const source = new CountingSource(repo, "main", mkdtempSync(path.join(tmpdir(), "patchctl-standby-work-")));
    const loader = new CommitLoader(source, "patching", 60_000);
    const heads = await Promise.all(Array.from({ length: 5 }, () => loader.current()));
    expect(source.fetches).toBe(1);
    expect(source.checkouts).toBe(1);
    expect(new Set(heads.map((h) => h.loaded)).size).toBe(1);
    expect(heads[0]!.loaded.state?.config.owner).toBe(OOB_OWNER);
    // Within reuseMs: no new fetch.
    await loader.current();
    expect(source.fetches).toBe(1);
    // A loader that does not reuse fetches every call but loads a commit it has loaded only once.
    const eager = new CommitLoader(source, "patching", 0);
    const a = await eager.current();
    const b = await eager.current();
    expect(source.fetches).toBe(3);
    expect(source.checkouts).toBe(2);
    expect(b.loaded).toBe(a.loaded);
  }, 60_000);
});
