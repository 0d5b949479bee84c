import type { CallContext, IdRef, SsmCall } from "../resources/handler.js";
import { isIdRef } from "../resources/handler.js";
import { handlerFor } from "../resources/registry.js";
import { randomUUID } from "node:crypto";
import { createLimiter } from "../util/limit.js";
import type { ApplyEvent } from "../model/events.js";
import type { Change, Plan, Resource } from "../model/plan.js";
import { isDeletedWithParent } from "../model/plan.js";
import { phaseOf } from "./plan.js";
import type { AwsGateway } from "../aws/gateway.js";
import { redactCallInput } from "../diff/redact.js";

/*
 * Apply order, by phase (plan.ts phaseOf):
 *  1 deregister tasks              — nothing may still point at targets being removed
 *  2 deregister patch groups, move defaults back to AWS
 *  3 create/update baselines       — before anything registers against them
 *  4 register patch groups and defaults
 *  5 create/update windows
 *  6 create/update targets
 *  7 create/update tasks           — after the targets they name exist
 *  8 deregister targets (Safe)     — after tasks were re-pointed or removed
 *  9 delete windows                — cascades whatever remains inside
 * 10 delete baselines              — after their groups and default moved away
 * Changes within a phase run concurrently (bounded). A change whose dependency
 * failed is skipped; everything independent still runs.
 */

export type OutcomeStatus = "applied" | "failed" | "skipped" | "noop";

export interface ChangeOutcome {
  key: string;
  action: Change["action"];
  status: OutcomeStatus;
  error?: string;
  /** Ids created by this change. */
  newId?: string;
}

export interface RecordedCall {
  operation: string;
  input: Record<string, unknown>;
  description: string;
  change: string;
}

export interface ApplyOptions {
  owner: string;
  dryRun: boolean;
  concurrency?: number;
  /** Typed events: each call, then each change's outcome (src/model/events.ts). */
  onEvent?: (e: ApplyEvent) => void;
  /** Called after every successful write (crash tests count writes with it); a returned promise is awaited before the part's next call. */
  afterWrite?: (call: RecordedCall) => void | Promise<void>;
  /** Stops between calls (the in-flight call finishes); what did not run is reported as skipped. */
  signal?: AbortSignal;
}

export interface ApplyResult {
  outcomes: ChangeOutcome[];
  /** Every call made (or, in a dry run, that would be made), in order, with sensitive values redacted. */
  calls: RecordedCall[];
  ok: boolean;
}

interface Part {
  change: Change;
  part: "create" | "update" | "delete";
  phase: number;
  /** The change's last part: it marks the change applied (the first part of a replace does not). */
  last: boolean;
}

function partsOf(c: Change): Part[] {
  const part = (p: Part["part"], last = true): Part => ({ change: c, part: p, phase: phaseOf(c, p), last });
  switch (c.action) {
    case "noop":
    case "forget": // its parent's delete takes it
      return [];
    case "create":
      return [part("create")];
    case "update":
      return [part("update")];
    case "delete":
      return [part("delete")];
    case "deleteThenCreate":
      return [part("delete", false), part("create")];
    case "createThenDelete":
      // The old one goes only once the new one exists: a failed create leaves it in place.
      return [part("create", false), part("delete")];
  }
}

export class ApplyError extends Error {}

/**
 * Carries out a plan: the calls of every change, phase by phase. In a dry run
 * the same path runs and records the calls instead of making them.
 */
export async function applyPlan(plan: Plan, gw: AwsGateway | undefined, opts: ApplyOptions): Promise<ApplyResult> {
  if (!opts.dryRun && !gw) throw new ApplyError("applying needs an SSM connection");
  const oldIds = new Map(Object.entries(plan.ids));
  const newIds = new Map<string, string>();
  const status = new Map<string, OutcomeStatus>();
  const errors = new Map<string, string>();
  const calls: RecordedCall[] = [];
  const emit = opts.onEvent ?? (() => {});

  /*
   * One ClientToken per change and apply attempt: the SDK's retries of that call send the same
   * input, so a retried create never makes a duplicate, while a later run (after a crash, or after
   * the resource was deleted out of band) gets a fresh token and really creates. A token reused
   * across runs would be answered with the first creation's id, even when that resource is gone.
   * Crash safety does not rest on the token: ownership tags and names travel inside the create
   * call, so the next read finds whatever a crashed run created.
   */
  const tokens = new Map<string, string>();
  const tokenFor = (r: Resource): string => {
    let t = tokens.get(r.key);
    if (t === undefined) tokens.set(r.key, (t = opts.dryRun ? `<token of this apply: ${r.key}>` : randomUUID()));
    return t;
  };

  const resolve = (value: unknown): unknown => {
    if (isIdRef(value)) {
      const id = newIds.get(value.$ref) ?? oldIds.get(value.$ref);
      if (id !== undefined) return id;
      if (opts.dryRun) return `<id of ${value.$ref}>`;
      throw new ApplyError(`the id of ${value.$ref} is not known (its change did not succeed)`);
    }
    if (Array.isArray(value)) return value.map(resolve);
    if (value instanceof Uint8Array) return value;
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
    return value;
  };

  const contextFor = (part: Part): CallContext => ({
    owner: plan.owner,
    idOf: (key: string): string | IdRef => {
      if (part.part === "delete" && key === part.change.key) {
        const id = oldIds.get(key);
        if (id) return id;
      }
      return newIds.get(key) ?? oldIds.get(key) ?? { $ref: key };
    },
    clientToken: tokenFor,
    awsBaseline: (os: string) => plan.awsBaselines[os],
  });

  const callsFor = (part: Part): SsmCall[] => {
    const handler = handlerFor(part.change.type);
    const ctx = contextFor(part);
    if (part.part === "delete") return handler.deleteCalls(part.change.before!, ctx);
    if (part.part === "create") return handler.createCalls(part.change.after!, ctx);
    return handler.updateCalls(part.change, ctx);
  };

  const runPart = async (part: Part): Promise<void> => {
    const key = part.change.key;
    if (status.get(key) === "failed" || status.get(key) === "skipped") return;
    const failedDep = part.change.dependsOn.find((d) => status.get(d) === "failed" || status.get(d) === "skipped");
    if (failedDep) {
      status.set(key, "skipped");
      errors.set(key, `skipped: ${failedDep} did not succeed`);
      return;
    }
    try {
      for (const call of callsFor(part)) {
        if (opts.signal?.aborted) throw new ApplyError(`interrupted before this call${opts.signal.reason instanceof Error && opts.signal.reason.name === "LeaseLostError" ? `: ${opts.signal.reason.message}` : ""}`);
        const input = resolve(call.input) as Record<string, unknown>;
        const recorded: RecordedCall = { operation: call.operation, input: redactCallInput(call.operation, input), description: call.description, change: key };
        calls.push(recorded);
        emit({ code: "PATCHCTL_I3001", key, resourceType: part.change.type, service: call.service ?? "ssm", operation: call.operation, description: call.description, dryRun: opts.dryRun });
        if (opts.dryRun) {
          if (call.yieldsId) newIds.set(call.yieldsId.key, `<new id of ${call.yieldsId.key}>`);
          continue;
        }
        try {
          const out = await gw!.call<Record<string, unknown>>(call.operation, input, call.service);
          if (call.yieldsId) {
            const id = fieldAt(out, call.yieldsId.field);
            // A create is applied only when the service names what it created.
            if (typeof id !== "string" || id === "") throw new ApplyError(`${call.operation} returned no ${call.yieldsId.field}`);
            newIds.set(call.yieldsId.key, id);
          }
          await opts.afterWrite?.(recorded);
        } catch (err) {
          const name = err instanceof Error ? err.name : "";
          if (!call.toleratedErrors?.includes(name)) throw err;
        }
      }
      if (part.last) status.set(key, "applied");
    } catch (err) {
      status.set(key, "failed");
      errors.set(key, describeError(err));
    }
  };

  const parts = plan.changes.flatMap(partsOf).sort((a, b) => a.phase - b.phase);
  const limit = createLimiter(opts.concurrency ?? 8);
  for (let i = 0; i < parts.length; ) {
    const phase = parts[i]!.phase;
    const batch: Part[] = [];
    while (i < parts.length && parts[i]!.phase === phase) batch.push(parts[i++]!);
    await Promise.all(batch.map((p) => limit(() => runPart(p))));
  }

  const outcomes: ChangeOutcome[] = plan.changes.map((c) => {
    if (c.action === "noop") return { key: c.key, action: c.action, status: "noop" };
    const s = status.get(c.key) ?? (isDeletedWithParent(c) ? "applied" : "skipped");
    const outcome: ChangeOutcome = { key: c.key, action: c.action, status: s };
    if (errors.has(c.key)) outcome.error = errors.get(c.key);
    if (newIds.has(c.key)) outcome.newId = newIds.get(c.key);
    return outcome;
  });
  plan.changes.forEach((c, i) => {
    const e = outcomeEvent(c, outcomes[i]!);
    if (e) emit(e);
  });
  return { outcomes, calls, ok: outcomes.every((o) => o.status === "applied" || o.status === "noop") };
}

/** The event of a change's outcome (none for a noop). */
function outcomeEvent(c: Change, o: ChangeOutcome): ApplyEvent | undefined {
  const done = { key: o.key, resourceType: c.type, action: o.action };
  switch (o.status) {
    case "noop":
      return undefined;
    case "applied":
      return { code: "PATCHCTL_I3002", ...done, ...(o.newId !== undefined ? { newId: o.newId } : {}) };
    case "failed":
      return { code: "PATCHCTL_E3003", ...done, error: o.error ?? "failed" };
    case "skipped":
      return { code: "PATCHCTL_E3004", ...done, reason: o.error ?? "not tried" };
  }
}

/** `Role.Arn` of a response. */
function fieldAt(out: Record<string, unknown>, path: string): unknown {
  let v: unknown = out;
  for (const part of path.split(".")) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}

function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
