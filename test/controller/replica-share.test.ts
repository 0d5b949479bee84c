import { GetParameterCommand, PutParameterCommand } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fairShare, replicaParameterName, ReplicaShare } from "../../src/controller/replicas.js";
import type { LocalHarness } from "../helpers/local.js";
import { startHarness } from "../helpers/local.js";

describe("ReplicaShare over local-ssm", () => {
  let h: LocalHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("fair share is the ceiling of deployment-regions over live replicas", () => {
    expect([fairShare(4, 1), fairShare(4, 2), fairShare(4, 3), fairShare(5, 2), fairShare(4, 0)]).toEqual([4, 2, 2, 3, 4]);
  });

  it("counts a replica on another host until its heartbeat expires, and the share follows", async () => {
    let now = Date.parse("2026-12-02T12:00:00Z");
    const keys = ["a/r", "b/r", "c/r", "d/r"];
    const mine = new ReplicaShare(h.gateway(), "this-host:1:aaaaaaaa", keys, 3000, () => now);
    // Another replica's heartbeat, written as it would be, valid for 10 s.
    const other = "other-host:4242:bbbbbbbb";
    const beat = (expiresAt: number) => h.sdk.send(new PutParameterCommand({ Name: replicaParameterName(other), Value: JSON.stringify({ id: other, expiresAt: new Date(expiresAt).toISOString() }), Type: "String", Overwrite: true }));
    await beat(now + 10_000);
    expect(await mine.heartbeat()).toBe(2);
    expect(mine.share).toBe(2);
    expect(JSON.parse((await h.sdk.send(new GetParameterCommand({ Name: replicaParameterName(mine.id) }))).Parameter!.Value!)).toEqual({ id: mine.id, expiresAt: new Date(now + 3000).toISOString() });
    // Asking takes no place; a lease won does, up to the share.
    expect(keys.map((k) => mine.decide(k))).toEqual(["try", "try", "try", "try"]);
    expect(keys.map((k) => mine.admit(k))).toEqual([true, true, false, false]);
    expect(keys.map((k) => mine.decide(k))).toEqual(["hold", "hold", "standby", "standby"]);

    // The other stops beating: past its expiry it is not counted, and this replica may hold all four.
    now += 11_000;
    expect(await mine.heartbeat()).toBe(1);
    expect(keys.map((k) => mine.decide(k))).toEqual(["hold", "hold", "try", "try"]);
    expect(keys.map((k) => mine.admit(k))).toEqual([true, true, true, true]);
    expect(keys.map((k) => mine.decide(k))).toEqual(["hold", "hold", "hold", "hold"]);
    expect(mine.status(["a/r"])).toEqual({ id: mine.id, live: 1, share: 4, holding: ["a/r"] });

    // It comes back: this replica releases what it holds beyond its share, at each controller's next boundary.
    await beat(now + 10_000);
    await mine.heartbeat();
    expect(keys.map((k) => mine.decide(k))).toEqual(["release", "release", "hold", "hold"]);
    // A lease lost gives its place back.
    mine.drop("c/r");
    expect(mine.decide("a/r")).toBe("try");
    expect(mine.decide("d/r")).toBe("hold");

    // Expired for less than a TTL (this replica's, 3 s): kept; for more: its heartbeat is removed.
    now += 12_000;
    expect(await mine.heartbeat()).toBe(1);
    expect((await h.sdk.send(new GetParameterCommand({ Name: replicaParameterName(other) }))).Parameter?.Name).toBe(replicaParameterName(other));
    now += 2_000;
    expect(await mine.heartbeat()).toBe(1);
    await expect(h.sdk.send(new GetParameterCommand({ Name: replicaParameterName(other) }))).rejects.toMatchObject({ name: "ParameterNotFound" });

    await mine.leave();
    await expect(h.sdk.send(new GetParameterCommand({ Name: replicaParameterName(mine.id) }))).rejects.toMatchObject({ name: "ParameterNotFound" });
  });
});
