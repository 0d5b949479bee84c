import { randomBytes, randomUUID } from "node:crypto";
import type { ExtraPropertyValues } from "../../catalog/patch-properties.js";
import type { Fleet } from "../fleet.js";
import type { RegionState } from "./records.js";

/** What an SSM operation runs against: one account-and-region's state, and the caller. */
export interface SsmContext {
  state: RegionState;
  account: string;
  region: string;
  fleet: Fleet;
  now: Date;
  /** Patch property values this endpoint lists and accepts besides the catalog's (startLocalSsm's patchProperties). */
  extraPatchProperties: readonly ExtraPropertyValues[];
  /** Set by an operation that changed state: the response waits until it is on disk. */
  mutated: boolean;
}

/** An operation's handler: a validated request body in, a response body out (AwsError on failure). */
export type OperationHandler = (body: unknown, ctx: SsmContext) => object;

export function epochSeconds(d: Date): number {
  return d.getTime() / 1000;
}

/** `pb-`/`mw-` ids: 17 lower-case hex digits. */
export function hexId(prefix: "pb" | "mw"): string {
  return `${prefix}-${randomBytes(9).toString("hex").slice(0, 17)}`;
}

export function uuid(): string {
  return randomUUID();
}

/** The SSM service-linked role, what a task with no ServiceRoleArn runs as (and reads back). */
export function serviceLinkedRole(account: string): string {
  return `arn:aws:iam::${account}:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM`;
}

/** A deep copy of a JSON-shaped value (records are never shared between state and responses). */
export function copy<T>(value: T): T {
  return structuredClone(value);
}
