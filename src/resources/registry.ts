import type { ResourceType } from "../model/plan.js";
import { defaultBaselineHandler } from "./default-baseline.js";
import type { ResourceHandler } from "./handler.js";
import { maintenanceWindowHandler } from "./maintenance-window.js";
import { patchBaselineHandler } from "./patch-baseline.js";
import { patchGroupRegistrationHandler } from "./patch-group-registration.js";
import { serviceRoleHandler } from "./service-role.js";
import { windowTargetHandler, windowTaskHandler } from "./window-children.js";

export const HANDLERS: Record<ResourceType, ResourceHandler> = {
  ServiceRole: serviceRoleHandler,
  PatchBaseline: patchBaselineHandler,
  PatchGroupRegistration: patchGroupRegistrationHandler,
  DefaultBaseline: defaultBaselineHandler,
  MaintenanceWindow: maintenanceWindowHandler,
  WindowTarget: windowTargetHandler,
  WindowTask: windowTaskHandler,
};

export function handlerFor(type: ResourceType): ResourceHandler {
  return HANDLERS[type];
}
