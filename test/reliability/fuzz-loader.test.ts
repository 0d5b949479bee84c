import fc from "fast-check";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadDesiredState } from "../../src/desired/load.js";
import { CONFIG, writeTree } from "../helpers/tmpdir.js";

/**
 * Property-based fuzzing of the YAML loader and validator: whatever the bytes,
 * loading never throws or hangs, and a bad file always yields an error that names
 * the file and a line. (Nothing here can reach SSM: validation has no client.)
 */
const dir = writeTree({ "patchctl.yaml": CONFIG, "fuzz.yaml": "" });
const FUZZ = path.join(dir, "fuzz.yaml");

const VALID = `apiVersion: patchctl/v1
kind: MaintenanceWindow
metadata:
  name: fuzz-window
spec:
  schedule: cron(0 22 ? * TUE *)
  duration: 3
  cutoff: 1
  targets:
    - name: servers
      targets: [{key: "tag:Patch Group", values: [web]}]
  tasks:
    - name: install
      taskType: RUN_COMMAND
      taskArn: AWS-RunPatchBaseline
      targets: [{key: WindowTargetIds, values: [servers]}]
      maxConcurrency: 10%
      maxErrors: "1"
      runCommand: {parameters: {Operation: [Install]}}
---
apiVersion: patchctl/v1
kind: PatchBaseline
metadata: {name: fuzz-baseline}
spec:
  operatingSystem: WINDOWS
  approvalRules:
    patchRules:
      - patchFilterGroup: {patchFilters: [{key: CLASSIFICATION, values: [SecurityUpdates]}]}
        approveAfterDays: 7
  patchGroups: [web]
`;

async function check(bytes: Uint8Array): Promise<void> {
  const result = await loadDesiredState(dir, { readFile: async (f) => (f === FUZZ ? bytes : new TextEncoder().encode(CONFIG)) });
  for (const d of result.diagnostics) {
    expect(d.file.length).toBeGreaterThan(0);
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.column).toBeGreaterThanOrEqual(1);
    expect(d.message.length).toBeGreaterThan(0);
  }
  if (!result.state) {
    expect(result.diagnostics.some((d) => d.severity === "error" && d.file === FUZZ)).toBe(true);
  }
}

const scalar = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant("${values.x}"), fc.string({ minLength: 5000, maxLength: 20000 }));
const lines = VALID.split("\n");
let runs = 0;

describe("fuzzing the loader and validator (>= 10,000 cases)", () => {
  it("random bytes", async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (b) => { runs++; await check(b); }), { numRuns: 2500 });
  });
  it("random text in YAML's alphabet", async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: fc.constantFrom(..."{}[]:-&*!|>'\"#%@`,? \n\tabc123"), maxLength: 300 }), async (t) => { runs++; await check(new TextEncoder().encode(t)); }), { numRuns: 2500 });
  });
  it("truncated valid files", async () => {
    const bytes = new TextEncoder().encode(VALID);
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: bytes.length }), async (n) => { runs++; await check(bytes.slice(0, n)); }), { numRuns: 1200 });
  });
  it("a line of a valid file replaced by a wrong-typed value in every field", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: lines.length - 1 }), scalar, async (i, v) => {
        runs++;
        const line = lines[i]!;
        const m = /^(\s*-?\s*[\w]+:)/.exec(line);
        const edited = [...lines];
        edited[i] = m ? `${m[1]} ${JSON.stringify(v)}` : JSON.stringify(v);
        await check(new TextEncoder().encode(edited.join("\n")));
      }),
      { numRuns: 2500 },
    );
  });
  it("deep nesting, alias bombs, unknown kinds and huge documents", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5000 }), fc.constantFrom("[", "{a: ", "- "), fc.string({ maxLength: 20 }), async (depth, open, kind) => {
        runs++;
        await check(new TextEncoder().encode(open.repeat(depth)));
        await check(new TextEncoder().encode(`apiVersion: patchctl/v1\nkind: ${JSON.stringify(kind)}\nmetadata: {name: abc}\nspec: {}\n`));
        const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
        for (let k = 1; k <= Math.min(9, 1 + (depth % 9)); k++) bomb.push(`${"abcdefghij"[k]}: &${"abcdefghij"[k]} [${Array(10).fill(`*${"abcdefghij"[k - 1]}`).join(", ")}]`);
        await check(new TextEncoder().encode(bomb.join("\n")));
      }),
      { numRuns: 1400 },
    );
    expect(runs).toBeGreaterThanOrEqual(10_000);
  }, 120_000);
});
