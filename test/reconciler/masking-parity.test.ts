import { describe, expect, it } from "vitest";
import { diffSpecs } from "../../src/diff/field-diff.js";
import { redactCallInput } from "../../src/diff/redact.js";
import { planToJson, renderPlanMarkdown, renderPlanText } from "../../src/diff/render-plan.js";
import type { Change, Json, JsonObject, Plan, Resource } from "../../src/model/plan.js";
import { REDACTED } from "../../src/resources/field-paths.js";
import type { CallContext } from "../../src/resources/handler.js";
import { windowTaskHandler } from "../../src/resources/window-children.js";

/**
 * The dry run (the recorded, masked call inputs) and the plan (text, Markdown, JSON) mask the same
 * task parameters: both ask the task handler's isSensitive, nothing else (issue 18).
 */

const ctx: CallContext = { owner: "o", idOf: (key) => ({ $ref: key }), clientToken: () => "token", awsBaseline: () => undefined };

function planOf(change: Change): Plan {
  return {
    formatVersion: 2,
    patchctlVersion: "0",
    createdAt: "2026-01-01T00:00:00.000Z",
    owner: "o",
    region: "r",
    stateFingerprint: "f",
    changes: [change],
    conflicts: [],
    unmanaged: [],
    summary: { create: 1, update: 0, replace: 0, delete: 0, noop: 0 },
    ids: {},
    awsBaselines: {},
    adopt: false,
    readScope: { baselines: [], windows: [] },
  };
}

function taskResource(spec: JsonObject): Resource {
  return { type: "WindowTask", key: "WindowTask/w/t", name: "w/t", parentKey: "MaintenanceWindow/w", spec: windowTaskHandler.normalize(spec) };
}

const SECRETS = ["s3cr3t-a", "s3cr3t-b"];

/** The parameter names the dry run masks in the task's register call, and those it shows. */
function dryRun(r: Resource, block: "RunCommand" | "Automation"): { masked: string[]; shown: string[] } {
  const [call] = windowTaskHandler.createCalls(r, ctx);
  const input = redactCallInput(call!.operation, call!.input) as { TaskInvocationParameters: Record<string, { Parameters: Record<string, Json> | string }> };
  const params = input.TaskInvocationParameters[block]!.Parameters;
  const names = Object.keys((call!.input.TaskInvocationParameters as Record<string, { Parameters: Record<string, Json> }>)[block]!.Parameters);
  if (params === REDACTED) return { masked: names, shown: [] };
  return { masked: names.filter((n) => (params as Record<string, Json>)[n] === REDACTED), shown: names.filter((n) => (params as Record<string, Json>)[n] !== REDACTED) };
}

/** The parameter names each plan output masks, for a created task and for an update of each parameter. */
function planMasks(r: Resource, prefix: string, names: string[]): { masked: string[]; shown: string[] }[] {
  const create = planOf({ key: r.key, type: r.type, name: r.name, action: "create", after: r, fields: [], dependsOn: [] });
  const changed: JsonObject = JSON.parse(JSON.stringify(r.spec)) as JsonObject;
  const block = changed[prefix.split(".")[0]!] as JsonObject;
  const params = block.parameters as Record<string, Json>;
  for (const n of names) params[n] = [`${String((params[n] as Json[])[0])}-changed`];
  const after: Resource = { ...r, spec: changed };
  const update = planOf({ key: r.key, type: r.type, name: r.name, action: "update", before: { ...r, id: "t-1" } as Resource, after, fields: diffSpecs(r.spec, changed, windowTaskHandler), dependsOn: [] });
  const outputs: string[] = [renderPlanText(create), renderPlanMarkdown(create), JSON.stringify(planToJson(create)), renderPlanText(update), renderPlanMarkdown(update), JSON.stringify(planToJson(update))];
  return outputs.map((out) => ({
    masked: names.filter((n) => !out.includes(String((params[n] as Json[])[0]).replace("-changed", ""))),
    shown: names.filter((n) => out.includes(String((params[n] as Json[])[0]).replace("-changed", ""))),
  }));
}

describe("the dry run and the plan mask the same task parameters", () => {
  it("a RunCommand task of a custom document: every parameter masked in both", () => {
    const r = taskResource({ name: "t", taskType: "RUN_COMMAND", taskArn: "Custom-Doc", targets: [], runCommand: { parameters: { Operation: [SECRETS[0]!], Token: [SECRETS[1]!] } } });
    const dry = dryRun(r, "RunCommand");
    expect(dry).toEqual({ masked: ["Operation", "Token"], shown: [] });
    for (const out of planMasks(r, "runCommand.parameters", ["Operation", "Token"])) expect(out).toEqual(dry);
  });

  it("a RunCommand task of AWS-RunPatchBaseline: its Operation shown in both, another parameter masked in both", () => {
    const r = taskResource({ name: "t", taskType: "RUN_COMMAND", taskArn: "AWS-RunPatchBaseline", targets: [], runCommand: { parameters: { Operation: ["Install"], PreInstallHookDocName: [SECRETS[0]!] } } });
    const dry = dryRun(r, "RunCommand");
    expect(dry).toEqual({ masked: ["PreInstallHookDocName"], shown: ["Operation"] });
    for (const out of planMasks(r, "runCommand.parameters", ["Operation", "PreInstallHookDocName"])) expect(out).toEqual(dry);
  });

  it("an Automation task: what one shows the other shows", () => {
    const r = taskResource({ name: "t", taskType: "AUTOMATION", taskArn: "AWS-PatchInstanceWithRollback", targets: [], automation: { documentVersion: "1", parameters: { InstanceId: ["i-0123456789abcdef0"], ReportS3Bucket: ["bucket-x"] } } });
    const dry = dryRun(r, "Automation");
    expect(dry.masked.length + dry.shown.length).toBe(2);
    for (const out of planMasks(r, "automation.parameters", ["InstanceId", "ReportS3Bucket"])) expect(out).toEqual(dry);
  });
});

describe("the dry run asks the handler of the kind that makes each call", () => {
  it("every operation a handler's calls make is one it declares", () => {
    const r = taskResource({ name: "t", taskType: "RUN_COMMAND", taskArn: "Custom-Doc", targets: [], runCommand: { parameters: { Token: ["x"] } } });
    const ops = [...windowTaskHandler.createCalls(r, ctx), ...windowTaskHandler.deleteCalls(r, ctx)].map((c) => c.operation);
    for (const op of ops) expect(windowTaskHandler.writes).toContain(op);
    expect(redactCallInput("NotAPatchctlCall", { Secret: "x" })).toEqual({ Secret: REDACTED });
  });
});
