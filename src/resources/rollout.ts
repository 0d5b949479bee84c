import type { AwsGateway } from "../aws/gateway.js";
import type { RolloutDoc, RolloutStage } from "../model/desired.js";
import { ignoreEvents } from "../model/events.js";
import type { ActualResource, ActualState, Json, JsonObject, Resource } from "../model/plan.js";
import { NAME_TAG, OWNER_TAG } from "../model/plan.js";
import { mapLimit } from "../util/limit.js";
import type { ReadContext, ReadResult, ResolveContext, ResourceHandler } from "./handler.js";
import { patchBaselineHandler } from "./patch-baseline.js";
import type { InstancePatchState, RolloutState, StageDecision, StageState } from "./rollout-evaluate.js";
import { evaluateRollout } from "./rollout-evaluate.js";
import { asArray, asObject } from "./shape.js";
import { flatKey } from "../util/flat-key.js";

/**
 * A staged rollout of patch approvals (kind Rollout). It owns no SSM resource of its own but one
 * Parameter Store parameter holding its state (`/patchctl/<owner>/rollouts/<name>`, a JSON
 * RolloutState), and it drives its stages' baselines' approveUntilDate: `resolve` evaluates the
 * rollout against its state and its stages' instance patch states and writes the cut-offs into
 * the desired baselines, so every promotion is an ordinary planned change (docs/rollout.md).
 * Ownership is by the parameter's name, like the write lease: everything under the owner's path is
 * the owner's; the create also tags it with patchctl:owner and patchctl:name.
 */

const NAME_CHARS = /[^a-zA-Z0-9_.-]/g;
/** Patches released up to this date: nothing a fleet still runs. A stage with no cut-off yet approves nothing new. */
export const NO_CUTOFF = "1970-01-01";

export function rolloutsPath(owner: string): string {
  return `/patchctl/${owner.replace(NAME_CHARS, "_")}/rollouts/`;
}

export function rolloutParameterName(owner: string, name: string): string {
  return `${rolloutsPath(owner)}${name.replace(NAME_CHARS, "_")}`;
}

export function rolloutKey(name: string): string {
  return flatKey("Rollout", name);
}

/** The stages a desired Rollout resource carries until it is resolved (and for `rollout status`). */
export interface RolloutConfig {
  stages: RolloutStage[];
}

const CONFIG = Symbol("rollout config");
type ConfiguredResource = Resource & { [CONFIG]?: RolloutConfig };

/** The stages of a desired Rollout resource, as its document wrote them. */
export function rolloutConfigOf(r: Resource): RolloutConfig | undefined {
  return (r as ConfiguredResource)[CONFIG];
}

function heldOf(v: Json | undefined): { cutoff: string; since: string } | undefined {
  const o = asObject(v);
  return o && typeof o.cutoff === "string" && typeof o.since === "string" ? { cutoff: o.cutoff, since: o.since } : undefined;
}

/** A parameter's value as a RolloutState; what does not have the shape is left out (and shows as a change). */
export function parseRolloutState(name: string, value: string | undefined): RolloutState {
  let raw: Json;
  try {
    raw = JSON.parse(value ?? "{}") as Json;
  } catch {
    return { rollout: name, stages: [] };
  }
  const stages: StageState[] = [];
  for (const s of asArray(asObject(raw)?.stages)) {
    const o = asObject(s);
    const held = heldOf(s);
    if (!o || typeof o.name !== "string" || !held) continue;
    const stage: StageState = { name: o.name, ...held };
    const earlier = asArray(o.earlier).map(heldOf).filter((h): h is { cutoff: string; since: string } => h !== undefined);
    if (earlier.length) stage.earlier = earlier;
    const m = asObject(o.measured);
    if (m && typeof m.stage === "string") {
      stage.measured = { stage: m.stage, instances: Number(m.instances ?? 0), compliant: Number(m.compliant ?? 0), failed: Number(m.failed ?? 0), percent: Number(m.percent ?? 0) };
    }
    if (typeof o.blocked === "string") stage.blocked = o.blocked;
    stages.push(stage);
  }
  return { rollout: name, stages };
}

function stateSpec(state: RolloutState): JsonObject {
  return JSON.parse(JSON.stringify(state)) as JsonObject;
}

function labelOf(r: Resource): string {
  return `rollout ${r.name} state`;
}

export const rolloutHandler: ResourceHandler = {
  type: "Rollout",
  noun: "rollout",
  ownership: "tags",
  documentKind: "Rollout",
  expand(doc, ctx) {
    const d = doc as RolloutDoc;
    const name = d.metadata.name;
    const r: ConfiguredResource = { type: "Rollout", key: rolloutKey(name), name, spec: { rollout: name, stages: [] }, source: ctx.source() };
    r[CONFIG] = { stages: d.spec.stages };
    return [r];
  },
  read: (gw, ctx) => readRollouts(gw, ctx),
  awsName: (r) => r.name,
  resolve: (desired, actual, ctx) => resolveRollouts(desired, actual, ctx),
  // Written after its baselines (a failed baseline update leaves the state where it was).
  references: (r) => (rolloutConfigOf(r)?.stages ?? []).flatMap((s) => s.baselines.map((b) => ({ to: { logical: patchBaselineHandler.key(b) }, role: "uses" as const, recordsPlanned: true }))),
  key: (name) => rolloutKey(name),
  phases: { create: 9, update: 9, delete: 1 },
  forceNew: [],
  writes: ["PutParameter", "DeleteParameter"],
  isSensitive: () => false,
  unorderedLists: [],
  normalize: (spec) => stateSpec(parseRolloutState(String(spec.rollout ?? ""), JSON.stringify(spec))),

  createCalls(r, ctx) {
    return [
      {
        operation: "PutParameter",
        input: {
          Name: rolloutParameterName(ctx.owner, r.name),
          Value: JSON.stringify(r.spec),
          Type: "String",
          Overwrite: false,
          Description: `patchctl rollout ${r.name}: each stage's approval cut-off`,
          Tags: [
            { Key: OWNER_TAG, Value: ctx.owner },
            { Key: NAME_TAG, Value: r.name },
          ],
        },
        description: `create ${labelOf(r)}`,
      },
    ];
  },
  updateCalls(change, ctx) {
    const after = change.after!;
    return [{ operation: "PutParameter", input: { Name: rolloutParameterName(ctx.owner, after.name), Value: JSON.stringify(after.spec), Type: "String", Overwrite: true }, description: `update ${labelOf(after)}` }];
  },
  deleteCalls(r, ctx) {
    return [{ operation: "DeleteParameter", input: { Name: rolloutParameterName(ctx.owner, r.name) }, toleratedErrors: ["ParameterNotFound"], description: `delete ${labelOf(r)}` }];
  },
};

/** The owner's rollout states: one GetParametersByPath walk of its path. */
async function readRollouts(gw: AwsGateway, ctx: ReadContext): Promise<ReadResult> {
  const path = rolloutsPath(ctx.owner);
  const params = await gw.paginate<{ Name?: string; Value?: string }>("GetParametersByPath", { Path: path, Recursive: false }, "Parameters", 10);
  const resources: ActualResource[] = params
    .filter((p) => p.Name?.startsWith(path))
    .map((p) => {
      const name = p.Name!.slice(path.length);
      return { type: "Rollout", key: rolloutKey(name), name, id: p.Name!, spec: stateSpec(parseRolloutState(name, p.Value)), owned: true, ownerTag: ctx.owner, ssmName: p.Name! };
    });
  return { resources };
}

/** The field a rollout drives on each rule of its stages' baselines, as the plan prints it. */
const CUTOFF_PATH = "approvalRules.patchRules[].approveUntilDate";

/** The rules' approveUntilDate values of a baseline spec, earliest first. */
function cutoffsOf(spec: JsonObject | undefined): string[] {
  return asArray(asObject(spec?.approvalRules)?.patchRules)
    .map((r) => asObject(r)?.approveUntilDate)
    .filter((d): d is string => typeof d === "string")
    .sort();
}

/** A baseline spec whose every rule approves up to `cutoff` (and after no delay). */
function withCutoff(spec: JsonObject, cutoff: string): JsonObject {
  const rules = asObject(spec.approvalRules);
  if (!rules) return spec;
  const patchRules = asArray(rules.patchRules).map((rule) => {
    const { approveAfterDays: _days, ...rest } = asObject(rule) ?? {};
    return { ...rest, approveUntilDate: cutoff };
  });
  return { ...spec, approvalRules: { ...rules, patchRules } };
}

/** DescribeInstancePatchStatesForPatchGroup for every patch group of a stage, each instance once. */
async function stageInstances(gw: AwsGateway, groups: readonly string[], concurrency: number): Promise<InstancePatchState[]> {
  const lists = await mapLimit([...groups], concurrency, (group) => gw.paginate<Record<string, unknown>>("DescribeInstancePatchStatesForPatchGroup", { PatchGroup: group }, "InstancePatchStates", 100));
  const byId = new Map<string, InstancePatchState>();
  for (const i of lists.flat()) {
    const id = String(i.InstanceId);
    const end = i.OperationEndTime;
    const operationEnd = end instanceof Date ? end.toISOString() : typeof end === "number" ? new Date(end * 1000).toISOString() : typeof end === "string" ? end : undefined;
    byId.set(id, { instanceId: id, operation: i.Operation as string | undefined, operationEnd, missing: Number(i.MissingCount ?? 0), failed: Number(i.FailedCount ?? 0) });
  }
  return [...byId.values()];
}

/**
 * The patch groups of these baselines, whose instances a stage is measured over: those the desired
 * state registers to them, and those the account registers to them now (a registration made by hand,
 * or one this plan deregisters): their instances take the baselines' approvals until it is gone, so
 * they prove or disprove the cut-off too (docs/rollout.md).
 */
export function patchGroupsOf(desired: readonly Resource[], actual: readonly ActualResource[], baselines: readonly string[]): string[] {
  const names = new Set(baselines);
  // An owned registration names its (owned) baseline by logical name; an unowned one names a baseline patchctl does not drive.
  const registers = (r: Resource): boolean => r.type === "PatchGroupRegistration" && names.has(String(r.spec.baseline));
  const groups = [...desired.filter(registers), ...actual.filter((a) => a.owned && registers(a))].map((r) => String(r.spec.patchGroup));
  return [...new Set(groups)].sort();
}

/** One rollout evaluated now: the next state and each stage's decision (what `reconcile` would plan, what `rollout status` shows). */
export async function evaluateRolloutResource(
  r: Resource,
  desired: readonly Resource[],
  actualByKey: ReadonlyMap<string, ActualResource>,
  ctx: ResolveContext,
): Promise<{ state: RolloutState; decisions: StageDecision[]; config: RolloutConfig }> {
  const config = rolloutConfigOf(r);
  if (!config) throw new Error(`${r.key}: not a desired Rollout`);
  const previous = actualByKey.get(r.key);
  const baselineSpec = (name: string, side: "desired" | "actual"): JsonObject | undefined => {
    const key = patchBaselineHandler.key(name);
    return side === "desired" ? desired.find((d) => d.key === key)?.spec : actualByKey.get(key)?.spec;
  };
  const stageOf = (name: string): RolloutStage => config.stages.find((s) => s.name === name)!;
  const { state, decisions } = await evaluateRollout({
    name: r.name,
    stages: config.stages,
    previous: previous ? parseRolloutState(r.name, JSON.stringify(previous.spec)) : undefined,
    now: ctx.now,
    startingCutoff(stage) {
      const names = stageOf(stage).baselines;
      const written = names.flatMap((b) => cutoffsOf(baselineSpec(b, "desired"))).sort();
      const current = names.flatMap((b) => cutoffsOf(baselineSpec(b, "actual"))).sort();
      return written[0] ?? current[0] ?? NO_CUTOFF;
    },
    instances: (stage) => stageInstances(ctx.gateway, patchGroupsOf(desired, [...actualByKey.values()], stageOf(stage).baselines), ctx.concurrency),
  });
  return { state, decisions, config };
}

/** The owner's rollout state parameters, as the plan reads them (one GetParametersByPath walk). */
export async function readRolloutStates(gw: AwsGateway, owner: string): Promise<ActualResource[]> {
  return (await readRollouts(gw, { owner, desiredNames: new Set(), concurrency: 1, emit: ignoreEvents })).resources;
}

/** Every desired Rollout evaluated: its state resource, and its stages' baselines with their cut-offs. */
async function resolveRollouts(desired: readonly Resource[], actual: ActualState, ctx: ResolveContext): Promise<Resource[]> {
  const rollouts = desired.filter((r) => r.type === "Rollout" && rolloutConfigOf(r));
  if (rollouts.length === 0) return [...desired];
  const replaced = new Map<string, Resource>();
  const actualByKey = new Map(actual.resources.map((a) => [a.key, a]));
  for (const r of rollouts) {
    const { state, decisions, config } = await evaluateRolloutResource(r, desired, actualByKey, ctx);
    const decisionOf = new Map<string, StageDecision>(decisions.map((d) => [d.stage, d]));
    const previous = actualByKey.get(r.key);
    const previousState = previous ? parseRolloutState(r.name, JSON.stringify(previous.spec)) : undefined;
    // The state parameter is the rollout's own bookkeeping: every difference in it is the evaluation's.
    // One note per stage (the status page's Rollouts section shows them): the decision, and the earliest next promotion when a soak is what it waits for.
    const notes = decisions.map((d) => (d.earliestNext ? `${d.message}; earliest next promotion ${d.earliestNext}` : d.message));
    const resolved: ConfiguredResource = { ...r, spec: stateSpec(state), notes, planned: { reason: `pending promotion (the state of Rollout ${r.name})` } };
    resolved[CONFIG] = config;
    replaced.set(r.key, resolved);
    for (const stage of config.stages) {
      const s = state.stages.find((x) => x.name === stage.name)!;
      const decision = decisionOf.get(stage.name)!;
      // What patchctl last wrote into the stage's baselines; a cut-off holding anything else was edited by someone else (drift).
      const wrote = previousState?.stages.find((x) => x.name === stage.name)?.cutoff;
      for (const b of stage.baselines) {
        const d = desired.find((x) => x.key === patchBaselineHandler.key(b));
        if (!d) continue;
        replaced.set(d.key, {
          ...d,
          spec: withCutoff(d.spec, s.cutoff),
          notes: [...(d.notes ?? []), `${decision.message} [Rollout ${r.name}]`],
          planned: { paths: [CUTOFF_PATH], ...(wrote !== undefined ? { from: wrote } : {}), reason: `pending promotion (Rollout ${r.name})` },
        });
      }
    }
  }
  return desired.map((d) => replaced.get(d.key) ?? d);
}
