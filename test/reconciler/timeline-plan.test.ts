import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHarness } from "../helpers/local.js";
import { startHarness } from "../helpers/local.js";

describe("reconcile --plan --timeline", () => {
  let h: LocalHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("adds how the change shifts the rollout, compared with --timeline-base", async () => {
    const after = path.join(mkdtempSync(path.join(tmpdir(), "patchctl-tl-")), "walkthrough");
    cpSync("examples/walkthrough", after, { recursive: true });
    const file = path.join(after, "windows.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("cron(0 0 22 ? * SAT *)", "cron(0 0 22 ? * WED *)"));
    const result = await h.cli(["reconcile", after, "--plan", "--timeline", "--timeline-base", "examples/walkthrough", "--released", "2026-12-01T00:00:00Z"]);
    expect(result.code, result.err).toBe(2);
    expect(result.out).toMatch(/Rollout changes \(patch released 2026-12-01T00:00:00.000Z, compared with examples\/walkthrough\)/);
    expect(result.out).toMatch(/Front-End Servers install moves from Sat 2026-12-12 22:00 UTC to Wed 2026-12-09 22:00 UTC/);
    expect(result.out).not.toMatch(/Database Servers install moves/);
  });
});
