import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import type { AwsGateway } from "../../src/aws/gateway.js";
import type { ControllerOptions } from "../../src/controller/controller.js";
import { Controller } from "../../src/controller/controller.js";
import { GitSource } from "../../src/controller/git-source.js";
import { ControllerMetrics } from "../../src/controller/metrics.js";
import { relaxedPoliciesDir } from "./relaxed-policies.js";
import { gitIn } from "./git.js";

/** A git repository (branch main, one commit) holding `files` under `patching/`. */
export function repoWithDesiredState(files: Record<string, string>, prefix = "patchctl-ctl-"): string {
  const repo = mkdtempSync(path.join(tmpdir(), prefix));
  mkdirSync(path.join(repo, "patching"));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(repo, "patching", name), text);
  const git = gitIn(repo);
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "desired");
  return repo;
}

/** A controller driven cycle by cycle in a test: applying, 1 s interval, silent log, relaxed policies; `overrides` for the rest. */
export function testController(repo: string, gateway: AwsGateway, overrides: Partial<ControllerOptions> = {}): Controller {
  return new Controller({
    source: new GitSource(repo, "main", mkdtempSync(path.join(tmpdir(), "patchctl-ctl-work-"))),
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
    ...overrides,
  });
}
