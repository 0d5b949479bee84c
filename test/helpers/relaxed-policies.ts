import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseAllDocuments, stringify } from "yaml";

let dir: string | undefined;

/**
 * A --policies directory that overrides every built-in policy (by id) with severity warn.
 * Engine tests use it so that their fixtures exercise reconciliation, not guard rails;
 * the policies themselves are tested in test/policy.
 */
export function relaxedPoliciesDir(): string {
  if (dir) return dir;
  dir = mkdtempSync(path.join(tmpdir(), "patchctl-relaxed-policies-"));
  for (const name of readdirSync("policies").filter((n) => n.endsWith(".yaml"))) {
    const docs = parseAllDocuments(readFileSync(path.join("policies", name), "utf8")).map((d) => ({ ...(d.toJS() as object), severity: "warn" }));
    writeFileSync(path.join(dir, name), docs.map((d) => stringify(d)).join("---\n"));
  }
  return dir;
}
