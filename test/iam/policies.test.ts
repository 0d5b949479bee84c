import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { iamPolicy, LEASE_ACTIONS, SSM_READ_ACTIONS, SSM_WRITE_ACTIONS } from "../../src/iam/policies.js";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === "local-ssm" ? [] : sources(full);
    return full.endsWith(".ts") ? [full] : [];
  });
}

/** Every SSM operation the client code names: gateway.call/paginate("Op") and handler calls { operation: "Op" }. */
function operationsCalled(): { reads: Set<string>; writes: Set<string> } {
  const reads = new Set<string>();
  const writes = new Set<string>();
  for (const file of sources("src")) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/\.(call|paginate)(?:<[^(]*>)?\(\s*"([A-Z][A-Za-z]+)"/g)) (/^(Get|Describe|List)/.test(m[2]!) ? reads : writes).add(m[2]!);
    for (const m of text.matchAll(/operation:\s*"([A-Z][A-Za-z]+)"/g)) writes.add(m[1]!);
  }
  return { reads, writes };
}

describe("iam-policy", () => {
  const called = operationsCalled();
  it("finds the operations the code calls (sanity)", () => {
    expect(called.reads.has("GetPatchBaseline")).toBe(true);
    expect(called.writes.has("CreateMaintenanceWindow")).toBe(true);
  });
  it("the apply policy allows every SSM operation the code calls", () => {
    const allowed = new Set(iamPolicy(false).Statement.flatMap((s) => s.Action));
    for (const op of [...called.reads, ...called.writes]) expect(allowed, `ssm:${op}`).toContain(`ssm:${op}`);
  });
  it("the read-only policy allows every read and no write", () => {
    const allowed = new Set(iamPolicy(true).Statement.flatMap((s) => s.Action));
    for (const op of called.reads) {
      if (op === "GetParameter") continue; // the lease: only writers take it
      expect(allowed, `ssm:${op}`).toContain(`ssm:${op}`);
    }
    for (const a of [...SSM_WRITE_ACTIONS, ...LEASE_ACTIONS]) expect(allowed.has(a)).toBe(false);
  });
  it("lists nothing the code never calls", () => {
    const all = new Set([...called.reads, ...called.writes].map((o) => `ssm:${o}`));
    for (const a of [...SSM_READ_ACTIONS, ...SSM_WRITE_ACTIONS, ...LEASE_ACTIONS]) expect(all, a).toContain(a);
  });
});
