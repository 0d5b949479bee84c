import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { AwsGateway } from "../../src/aws/gateway.js";
import { Controller } from "../../src/controller/controller.js";
import { GitSource } from "../../src/controller/git-source.js";
import { ControllerMetrics } from "../../src/controller/metrics.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import type { PatchctlEvent } from "../../src/model/events.js";
import { EVENT_CODES } from "../../src/model/events.js";
import { prepareDesired, reconcilePrepared } from "../../src/pipeline/reconcile.js";
import { OOB_FILES } from "../helpers/oob-fixture.js";
import { progressText } from "../../src/cli/progress.js";
import { logEvent } from "../../src/controller/event-log.js";
import { LIFECYCLE } from "../../src/controller/lifecycle-codes.js";
import { relaxedPoliciesDir } from "../helpers/relaxed-policies.js";
import { writeTree } from "../helpers/tmpdir.js";
import { gitIn } from "../helpers/git.js";

const creds = { accessKeyId: "AKIA181818181818TEST", secretAccessKey: "events-secret" };
const DOC = readFileSync("docs/events.md", "utf8");
/** The library codes docs/events.md documents (its table's first column; areas 1 to 3). */
const DOCUMENTED = new Set([...DOC.matchAll(/^\| `(PATCHCTL_[IWE][123]\d{3})` \| `([a-z.-]+)` \|/gm)].map((m) => m[1]!));
/** The controller's own codes (area 4) docs/events.md documents. */
const DOCUMENTED_LIFECYCLE = [...DOC.matchAll(/^\| `(PATCHCTL_[IWE]4\d{3})` \| `([a-z-]+)` \| (info|warn|error) \|/gm)].map((m) => ({ code: m[1]!, event: m[2]!, level: m[3]! }));

describe("typed events with stable codes", () => {
  it("docs/events.md documents every code of the union, under its name, and no other", () => {
    for (const [code, { name }] of Object.entries(EVENT_CODES)) {
      expect(DOC, code).toContain(`| \`${code}\` | \`${name}\` |`);
      expect(code).toMatch(new RegExp(`^PATCHCTL_${{ info: "I", warn: "W", error: "E" }[EVENT_CODES[code as keyof typeof EVENT_CODES].level]}[123]\\d{3}$`));
    }
    expect([...DOCUMENTED].sort()).toEqual(Object.keys(EVENT_CODES).sort());
  });

  it("docs/events.md documents every code of the controller's own lines, with its event and level, and no other", () => {
    const entries = Object.values(LIFECYCLE);
    expect(new Set(entries.map((e) => e.code)).size).toBe(entries.length);
    const letter: Record<string, string> = { info: "I", warn: "W", error: "E" };
    for (const d of DOCUMENTED_LIFECYCLE) expect(d.code[9], d.code).toBe(letter[d.level]);
    expect(DOCUMENTED_LIFECYCLE.map((d) => `${d.code} ${d.event}`).sort()).toEqual(entries.map((e) => `${e.code} ${e.event}`).sort());
  });

  it("the CLI and the controller render every code", () => {
    const samples: PatchctlEvent[] = [
      { code: "PATCHCTL_I1001", owner: "o", full: false },
      { code: "PATCHCTL_I1002", resourceType: "MaintenanceWindow", count: 3 },
      { code: "PATCHCTL_W1003", resourceType: "ServiceRole", reason: "access-denied" },
      { code: "PATCHCTL_I2001", owner: "o", region: "us-east-1", summary: { create: 1, update: 0, replace: 0, delete: 0, noop: 2 }, partial: false },
      { code: "PATCHCTL_I3001", key: "MaintenanceWindow/w", resourceType: "MaintenanceWindow", service: "ssm", operation: "CreateMaintenanceWindow", description: "create window w", dryRun: false },
      { code: "PATCHCTL_I3002", key: "MaintenanceWindow/w", resourceType: "MaintenanceWindow", action: "create", newId: "mw-0123456789abcdef0" },
      { code: "PATCHCTL_E3003", key: "MaintenanceWindow/w", resourceType: "MaintenanceWindow", action: "update", error: "ValidationException: no" },
      { code: "PATCHCTL_E3004", key: "WindowTask/w/t", resourceType: "WindowTask", action: "create", reason: "skipped: MaintenanceWindow/w did not succeed" },
    ];
    expect(samples.map((e) => e.code).sort()).toEqual(Object.keys(EVENT_CODES).sort());
    expect(samples.map((e) => progressText(e, 4))).toEqual([
      "listing the account",
      "reading 3 window(s)",
      "service roles not readable (access denied): ServiceRole resources are not managed in this run",
      undefined,
      "4 call(s): create window w",
      undefined,
      undefined,
      undefined,
    ]);
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const log = pino({ level: "debug" }, sink);
    for (const e of samples) logEvent(log, e);
    expect(lines.map((l) => [l.code, l.level, l.event])).toEqual([
      ["PATCHCTL_I1001", 20, "read.started"],
      ["PATCHCTL_I1002", 20, "read.kind"],
      ["PATCHCTL_W1003", 40, "read.kind-unreadable"],
      ["PATCHCTL_I2001", 20, "plan.computed"],
      ["PATCHCTL_I3001", 20, "apply.call"],
      ["PATCHCTL_I3002", 30, "change-applied"],
      ["PATCHCTL_E3003", 50, "change-failed"],
      ["PATCHCTL_E3004", 50, "change-failed"],
    ]);
    expect(lines[6]).toMatchObject({ key: "MaintenanceWindow/w", action: "update", error: "ValidationException: no" });
    expect(lines[7]).toMatchObject({ key: "WindowTask/w/t", error: "skipped: MaintenanceWindow/w did not succeed" });
  });

  it("a reconcile over HTTP against local-ssm delivers typed events with documented codes", async () => {
    const server = await startLocalSsm({ port: 0 });
    const gateway = new AwsGateway({ region: "us-east-1", endpointUrl: server.url, credentials: creds });
    try {
      const prepared = await prepareDesired(writeTree(OOB_FILES), relaxedPoliciesDir());
      if (!prepared.ok) throw new Error(JSON.stringify(prepared.errors));
      const events: PatchctlEvent[] = [];
      const outcome = await reconcilePrepared(prepared.prepared, {
        gateway,
        region: "us-east-1",
        deleteGuard: { maxDeletePercent: 30, allowMassDelete: false },
        mode: "apply",
        lease: (fn) => fn(),
        onEvent: (e) => events.push(e),
      });
      expect(outcome.result?.ok).toBe(true);
      for (const e of events) expect(DOCUMENTED, e.code).toContain(e.code);
      const codes = new Set(events.map((e) => e.code));
      for (const c of ["PATCHCTL_I1001", "PATCHCTL_I1002", "PATCHCTL_I2001", "PATCHCTL_I3001", "PATCHCTL_I3002"]) expect(codes, c).toContain(c);
      expect(events[0]).toEqual({ code: "PATCHCTL_I1001", owner: "oob", full: false });
      const computed = events.find((e) => e.code === "PATCHCTL_I2001");
      expect(computed).toMatchObject({ owner: "oob", region: "us-east-1", partial: false });
      // Every call belongs to a change, and every change done is one of the plan's, with its kind and action.
      const changes = new Map(outcome.plan.changes.map((c) => [c.key, c]));
      const calls = events.filter((e) => e.code === "PATCHCTL_I3001");
      expect(calls.map((e) => e.operation)).toEqual(outcome.result!.calls.map((c) => c.operation));
      for (const e of calls) expect(changes.get(e.key)?.type).toBe(e.resourceType);
      const applied = events.filter((e) => e.code === "PATCHCTL_I3002");
      expect(applied.map((e) => e.key).sort()).toEqual(outcome.plan.changes.filter((c) => c.action !== "noop").map((c) => c.key).sort());
      for (const e of applied) expect(e).toMatchObject({ resourceType: changes.get(e.key)!.type, action: changes.get(e.key)!.action });
      expect(applied.find((e) => e.resourceType === "MaintenanceWindow")?.newId).toMatch(/^mw-/);
    } finally {
      gateway.destroy();
      await server.close();
    }
  });

  it("the controller's log lines carry the events' codes", async () => {
    const server = await startLocalSsm({ port: 0 });
    const gateway = new AwsGateway({ region: "us-east-1", endpointUrl: server.url, credentials: creds });
    const repo = mkdtempSync(path.join(tmpdir(), "patchctl-events-"));
    mkdirSync(path.join(repo, "patching"));
    for (const [name, text] of Object.entries(OOB_FILES)) writeFileSync(path.join(repo, "patching", name), text);
    const git = gitIn(repo);
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "desired");
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split("\n")) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    const controller = new Controller({
      source: new GitSource(repo, "main", mkdtempSync(path.join(tmpdir(), "patchctl-events-work-"))),
      path: "patching",
      region: "us-east-1",
      gateway,
      apply: true,
      intervalMs: 1000,
      maxDeletePercent: 30,
      allowMassDelete: false,
      logger: pino({ level: "debug" }, sink),
      metrics: new ControllerMetrics(),
      notifiers: [],
      policiesDir: relaxedPoliciesDir(),
    });
    try {
      const r = await controller.cycle();
      expect(r.ok, JSON.stringify(r)).toBe(true);
      expect(r.applied).toBeGreaterThan(0);
      const coded = lines.filter((l) => l.code !== undefined);
      const lifecycleCodes = new Set(DOCUMENTED_LIFECYCLE.map((d) => d.code));
      for (const l of coded) expect(DOCUMENTED.has(String(l.code)) || lifecycleCodes.has(String(l.code)), String(l.code)).toBe(true);
      // The controller's own lines carry theirs too (a cycle's end, the commit it loaded).
      expect(coded.some((l) => l.code === "PATCHCTL_I4006")).toBe(true);
      const applied = lines.filter((l) => l.event === "change-applied");
      expect(applied).toHaveLength(r.applied!);
      for (const l of applied) expect(l).toMatchObject({ code: "PATCHCTL_I3002", owner: "oob", level: 30 });
      expect(applied.every((l) => typeof l.key === "string" && typeof l.action === "string" && typeof l.resourceType === "string")).toBe(true);
      expect(coded.some((l) => l.code === "PATCHCTL_I1001" && l.level === 20)).toBe(true);
      expect(coded.some((l) => l.code === "PATCHCTL_I3001" && typeof l.operation === "string")).toBe(true);
    } finally {
      await controller.stop();
      gateway.destroy();
      await server.close();
    }
  });
});
