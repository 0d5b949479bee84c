/**
 * What the library tells its caller while it works: typed events with stable codes (the idea of
 * aws-cdk's toolkit-lib IoMessage). The library (src/reconciler, src/resources, src/pipeline)
 * emits only these and never prints; the CLI renders them as text, the controller as pino log
 * lines carrying `code`. docs/events.md lists every code (a test holds the two together).
 *
 * Code scheme: `PATCHCTL_<level><area><nnn>`.
 *   level  I (information), W (warning: something was left out or not done), E (error: something failed)
 *   area   1 reading the account, 2 planning, 3 applying
 *   nnn    a sequence number within the area
 * A code names one kind of message for good: it is never renumbered or reused; a message whose
 * meaning changes gets a new code. The `name` beside it is a readable alias of the same thing.
 */
import type { Action, PlanSummary, ResourceType } from "./plan.js";

/** Every code, its name and level: the one list the union below and docs/events.md follow. */
export const EVENT_CODES = {
  PATCHCTL_I1001: { name: "read.started", level: "info" },
  PATCHCTL_I1002: { name: "read.kind", level: "info" },
  PATCHCTL_W1003: { name: "read.kind-unreadable", level: "warn" },
  PATCHCTL_I2001: { name: "plan.computed", level: "info" },
  PATCHCTL_I3001: { name: "apply.call", level: "info" },
  PATCHCTL_I3002: { name: "apply.change-applied", level: "info" },
  PATCHCTL_E3003: { name: "apply.change-failed", level: "error" },
  PATCHCTL_E3004: { name: "apply.change-skipped", level: "error" },
} as const satisfies Record<string, { name: string; level: EventLevel }>;

export type EventLevel = "info" | "warn" | "error";
export type EventCode = keyof typeof EVENT_CODES;

/** PATCHCTL_I1001: a read of the account begins (plan, stale-plan check, import, a watch cycle). */
export interface ReadStarted {
  code: "PATCHCTL_I1001";
  owner: string;
  /** import's read: everything no other owner has, in full. */
  full: boolean;
}

/** PATCHCTL_I1002: one kind's list calls answered; its `count` resources are read next. */
export interface ReadKind {
  code: "PATCHCTL_I1002";
  resourceType: ResourceType;
  count: number;
}

/** PATCHCTL_W1003: a kind could not be read and is not managed in this run (IAM roles without IAM read access). */
export interface ReadKindUnreadable {
  code: "PATCHCTL_W1003";
  resourceType: ResourceType;
  reason: "access-denied";
}

/** PATCHCTL_I2001: the plan is made (before the policies, the delete guard and the freezes are checked). */
export interface PlanComputed {
  code: "PATCHCTL_I2001";
  owner: string;
  region: string;
  summary: PlanSummary;
  partial: boolean;
}

/** PATCHCTL_I3001: one SSM or IAM call of an apply, about to be made (or, in a dry run, listed). */
export interface ApplyCall {
  code: "PATCHCTL_I3001";
  /** The change it belongs to. */
  key: string;
  resourceType: ResourceType;
  service: "ssm" | "iam";
  operation: string;
  /** What the call does, in words (the dry-run listing's line). */
  description: string;
  dryRun: boolean;
}

interface ChangeDone {
  key: string;
  resourceType: ResourceType;
  action: Action;
}

/** PATCHCTL_I3002: a change is applied (a forget: its parent's delete took it). */
export interface ChangeApplied extends ChangeDone {
  code: "PATCHCTL_I3002";
  /** The id the service gave what this change created. */
  newId?: string;
}

/** PATCHCTL_E3003: a change failed: one of its calls was answered with an error. */
export interface ChangeFailed extends ChangeDone {
  code: "PATCHCTL_E3003";
  error: string;
}

/** PATCHCTL_E3004: a change was not tried: something it depends on did not succeed, or the apply was interrupted. */
export interface ChangeSkipped extends ChangeDone {
  code: "PATCHCTL_E3004";
  reason: string;
}

export type ReadEvent = ReadStarted | ReadKind | ReadKindUnreadable;
export type ApplyEvent = ApplyCall | ChangeApplied | ChangeFailed | ChangeSkipped;
export type PatchctlEvent = ReadEvent | PlanComputed | ApplyEvent;

/** Where a library function sends its events. */
export type EventSink = (e: PatchctlEvent) => void;

/** Whether the event comes from an apply (its calls and outcomes). */
export function isApplyEvent(e: PatchctlEvent): e is ApplyEvent {
  return e.code === "PATCHCTL_I3001" || e.code === "PATCHCTL_I3002" || e.code === "PATCHCTL_E3003" || e.code === "PATCHCTL_E3004";
}

/** The readable name of an event's code (`read.started`). */
export function eventName(e: PatchctlEvent): string {
  return EVENT_CODES[e.code].name;
}

/** The level of an event's code. */
export function eventLevel(e: PatchctlEvent): EventLevel {
  return EVENT_CODES[e.code].level;
}

/** The event's fields besides its code (what a structured log line carries). */
export function eventData(e: PatchctlEvent): Record<string, unknown> {
  const { code: _code, ...data } = e;
  return data;
}

/** A sink that drops everything (the default when no caller listens). */
export const ignoreEvents: EventSink = () => {};

/** The union and EVENT_CODES name the same codes (a compile error otherwise). */
type SameCodes = [EventCode] extends [PatchctlEvent["code"]] ? ([PatchctlEvent["code"]] extends [EventCode] ? true : false) : false;
export const EVENT_UNION_MATCHES_CODES: SameCodes = true;
