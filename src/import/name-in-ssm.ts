import type { AwsGateway } from "../aws/gateway.js";
import type { GeneratedName } from "./build.js";

/**
 * `import --name-unnamed`: writes each generated name into SSM as the target's or task's
 * Name, and nothing else (Replace: false keeps every other field as it is). Adoption then
 * pairs the imported target or task with the existing one in place instead of registering
 * a new one under the name and deregistering the old.
 */
export async function writeGeneratedNames(gw: AwsGateway, names: GeneratedName[], onWrite?: (g: GeneratedName) => void): Promise<void> {
  for (const g of names) {
    if (g.kind === "WindowTarget") {
      await gw.call("UpdateMaintenanceWindowTarget", { WindowId: g.windowId, WindowTargetId: g.id, Name: g.name, Replace: false });
    } else {
      await gw.call("UpdateMaintenanceWindowTask", { WindowId: g.windowId, WindowTaskId: g.id, Name: g.name, Replace: false });
    }
    onWrite?.(g);
  }
}
