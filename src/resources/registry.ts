import type { ResourceType } from "../model/plan.js";
import { defaultBaselineHandler } from "./default-baseline.js";
import type { ResourceHandler } from "./handler.js";
import { maintenanceWindowHandler } from "./maintenance-window.js";
import { patchAssociationHandler } from "./patch-association.js";
import { patchBaselineHandler } from "./patch-baseline.js";
import { patchGroupRegistrationHandler } from "./patch-group-registration.js";
import { rolloutHandler } from "./rollout.js";
import { serviceRoleHandler } from "./service-role.js";
import { windowTargetHandler, windowTaskHandler } from "./window-children.js";

/**
 * Every kind patchctl manages, one handler each. The order is the engine's tie-break when two
 * changes run in the same apply phase (and the order of kinds in outputs).
 */
export const HANDLERS: Record<ResourceType, ResourceHandler> = {
  ServiceRole: serviceRoleHandler,
  PatchBaseline: patchBaselineHandler,
  PatchGroupRegistration: patchGroupRegistrationHandler,
  DefaultBaseline: defaultBaselineHandler,
  MaintenanceWindow: maintenanceWindowHandler,
  WindowTarget: windowTargetHandler,
  WindowTask: windowTaskHandler,
  PatchAssociation: patchAssociationHandler,
  Rollout: rolloutHandler,
};

const ORDERED: readonly ResourceHandler[] = Object.values(HANDLERS);

export function handlerFor(type: ResourceType): ResourceHandler {
  return HANDLERS[type];
}

/** Every handler, in the registry's order. */
export function allHandlers(): readonly ResourceHandler[] {
  return ORDERED;
}

/** The handlers that expand desired documents and read the account (those with their own ownership tags). */
export function topLevelHandlers(): readonly ResourceHandler[] {
  return ORDERED.filter((h) => h.ownership === "tags");
}

/** The handler expanding documents of this kind; undefined for a kind no handler declares. */
export function handlerForDocument(kind: string): ResourceHandler | undefined {
  return ORDERED.find((h) => h.documentKind === kind);
}

/** The registry's position of a kind: the tie-break between kinds. */
export function kindRank(type: ResourceType): number {
  return ORDERED.indexOf(HANDLERS[type]);
}
