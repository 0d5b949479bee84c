import type { ExtraPropertyValues } from "../../catalog/patch-properties.js";
import type { Caller } from "../caller.js";
import { AwsError } from "../errors.js";
import type { FleetSource } from "../fleet.js";
import type { Store } from "../store.js";
import { freshRegionState, upgradeRegionState } from "./aws-owned-baselines.js";
import { associationOperations } from "./associations.js";
import { complianceOperations } from "./compliance.js";
import { documentOperations } from "./documents.js";
import type { OperationHandler, SsmContext } from "./context.js";
import { maintenanceWindowOperations } from "./maintenance-windows.js";
import { parameterOperations } from "./parameters.js";
import { patchBaselineOperations } from "./patch-baselines.js";
import { patchGroupOperations } from "./patch-groups.js";
import { patchPropertyOperations } from "./patch-properties.js";
import type { RegionState } from "./records.js";
import { tagOperations } from "./tags.js";
import { windowTargetOperations } from "./window-targets.js";
import { windowTaskOperations } from "./window-tasks.js";

const OPERATIONS: Readonly<Record<string, OperationHandler>> = {
  ...patchBaselineOperations,
  ...patchGroupOperations,
  ...patchPropertyOperations,
  ...maintenanceWindowOperations,
  ...windowTargetOperations,
  ...windowTaskOperations,
  ...tagOperations,
  ...complianceOperations,
  ...parameterOperations,
  ...documentOperations,
  ...associationOperations,
};

/**
 * The Systems Manager service, protocol-free: an operation name and a parsed
 * request body in, a response body out, or an AwsError. State is kept per account
 * and region; a mutating operation is durable before invoke() returns.
 */
export class SsmService {
  /** The X-Amz-Target prefix of the AWS JSON 1.1 protocol. */
  static readonly TARGET_PREFIX = "AmazonSSM";

  /** Region states already brought up to the current format (once per state object). */
  private readonly upgraded = new WeakSet<RegionState>();

  constructor(
    private readonly store: Store,
    private readonly fleet: FleetSource,
    private readonly extraPatchProperties: readonly ExtraPropertyValues[] = [],
  ) {}

  static operations(): string[] {
    return Object.keys(OPERATIONS);
  }

  has(operation: string): boolean {
    return Object.hasOwn(OPERATIONS, operation);
  }

  invoke(operation: string, body: unknown, caller: Caller): object {
    const handler = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
    if (!handler) throw new AwsError("UnknownOperationException", `Unknown operation ${SsmService.TARGET_PREFIX}.${operation}`);
    const state = this.store.section<RegionState>("ssm", `${caller.account}/${caller.region}`, () => freshRegionState(caller.region));
    if (!this.upgraded.has(state)) {
      upgradeRegionState(state);
      this.upgraded.add(state);
    }
    const ctx: SsmContext = { state, account: caller.account, region: caller.region, fleet: this.fleet.current(), now: new Date(), extraPatchProperties: this.extraPatchProperties, mutated: false };
    const out = handler(body, ctx);
    if (ctx.mutated) this.store.persist();
    return out;
  }
}
