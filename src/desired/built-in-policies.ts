/**
 * Which built-in policies patchctl ships: patchctl.yaml's \`policies:\` may set their severity, so the
 * loader checks ids against this list; src/policy loads and evaluates them.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../package-root.js";
import { parseYamlFile } from "./yaml-source.js";

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Where patchctl's own policies live. */
export function builtInPolicyDir(): string {
  return path.join(packageRoot(), "policies");
}

let builtInIds: ReadonlySet<string> | undefined;

/** The ids of the built-in policies (what patchctl.yaml `policies:` may set), read once. */
export function builtInPolicyIds(): ReadonlySet<string> {
  if (builtInIds) return builtInIds;
  const dir = builtInPolicyDir();
  const ids = new Set<string>();
  for (const name of readdirSync(dir).filter((n) => /\.ya?ml$/i.test(n)).sort()) {
    const file = path.join(dir, name);
    for (const doc of parseYamlFile(file, readFileSync(file)).documents) {
      const v = doc.value;
      if (isRecord(v) && v.kind === "Policy" && typeof v.id === "string" && v.disabled !== true) ids.add(v.id);
    }
  }
  return (builtInIds = ids);
}
