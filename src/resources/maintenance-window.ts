import type { MaintenanceWindowDoc } from "../model/desired.js";
import type { JsonObject } from "../model/plan.js";
import type { ResourceHandler, SsmCall } from "./handler.js";
import { withinAny } from "./field-paths.js";
import { taggedUpdateCalls } from "./handler.js";
import { pick, pickPascal } from "./patch-baseline.js";
import { asObject, compact, tagMap, toCamel, toPascal } from "./shape.js";

const CREATE_FIELDS = ["name", "description", "schedule", "scheduleTimezone", "scheduleOffset", "startDate", "endDate", "duration", "cutoff", "allowUnassociatedTargets"] as const;
const READ_FIELDS = [...CREATE_FIELDS, "enabled"] as const;
/** SSM marks a window's Description sensitive. */
const SENSITIVE = ["description"];

export const maintenanceWindowHandler: ResourceHandler = {
  type: "MaintenanceWindow",
  forceNew: [],
  sensitive: SENSITIVE,
  isSensitive: (path) => withinAny(path, SENSITIVE),
  unorderedLists: [],
  replaceOrder: "delete-then-create",

  normalize(spec) {
    return compact({
      name: spec.name,
      description: spec.description,
      schedule: spec.schedule,
      scheduleTimezone: spec.scheduleTimezone,
      scheduleOffset: spec.scheduleOffset,
      startDate: spec.startDate,
      endDate: spec.endDate,
      duration: spec.duration,
      cutoff: spec.cutoff,
      allowUnassociatedTargets: (spec.allowUnassociatedTargets as boolean | undefined) ?? false,
      enabled: (spec.enabled as boolean | undefined) ?? true,
      tags: asObject(spec.tags) ?? {},
    });
  },

  createCalls(r, ctx) {
    const tags = asObject(r.spec.tags) ?? {};
    const calls: SsmCall[] = [
      {
        operation: "CreateMaintenanceWindow",
        input: {
          ...toPascal(pick(r.spec, CREATE_FIELDS)),
          ClientToken: ctx.clientToken(r),
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value: String(Value) })),
        },
        yieldsId: { key: r.key, field: "WindowId" },
        description: `create maintenance window ${r.spec.name}`,
      },
    ];
    // CreateMaintenanceWindow has no Enabled field: a disabled window is created, then disabled.
    if (r.spec.enabled === false) {
      calls.push({ operation: "UpdateMaintenanceWindow", input: { WindowId: ctx.idOf(r.key), Enabled: false }, description: `disable maintenance window ${r.spec.name}` });
    }
    return calls;
  },

  updateCalls(change, ctx) {
    const after = change.after!;
    const input = { ...toPascal(pick(after.spec, READ_FIELDS)), Enabled: after.spec.enabled };
    return taggedUpdateCalls(change, ctx, "MaintenanceWindow", { operation: "UpdateMaintenanceWindow", idMember: "WindowId", input }, `maintenance window ${String(after.spec.name)}`);
  },

  deleteCalls(r, ctx) {
    return [{ operation: "DeleteMaintenanceWindow", input: { WindowId: ctx.idOf(r.key) }, toleratedErrors: ["DoesNotExistException"], description: `delete maintenance window ${r.spec.name} (with its targets and tasks)` }];
  },
};

export function windowFromDesired(doc: MaintenanceWindowDoc, ownershipTags: Record<string, string>): JsonObject {
  const { targets: _t, tasks: _k, ...rest } = doc.spec;
  const spec = JSON.parse(JSON.stringify(rest)) as JsonObject;
  spec.name = doc.spec.name ?? doc.metadata.name;
  spec.tags = tagMap({ ...(doc.metadata.tags ?? {}), ...ownershipTags });
  return maintenanceWindowHandler.normalize(spec);
}

/** GetMaintenanceWindow + ListTagsForResource → the handler's shape (server-computed dates dropped). */
export function windowFromSsm(out: Record<string, unknown>, tags: { Key?: string; Value?: string }[]): JsonObject {
  const spec = toCamel(pickPascal(out, READ_FIELDS));
  spec.tags = tagMap(tags);
  return maintenanceWindowHandler.normalize(spec);
}
