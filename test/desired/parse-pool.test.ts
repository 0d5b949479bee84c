import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeWrittenFleets, writeFleet } from "../../bench/bench.js";
// The compiled loader (npm test builds first): its worker script exists, so large trees are
// parsed on worker threads. The TypeScript one run by vitest has no compiled worker and
// parses in its own thread: the reference.
import { loadDesiredState as loadWithWorkers } from "../../dist/src/desired/load.js";
import { filesParsedOnWorkers } from "../../dist/src/desired/parse-pool.js";
import { loadDesiredState as loadInThread } from "../../src/desired/load.js";

describe("parsing a large desired state on worker threads", () => {
  afterAll(removeWrittenFleets);

  it("gives the same resources and the same findings as parsing in the loader's own thread", async () => {
    const dir = writeFleet({ baselines: 10, groupsPerBaseline: 10, windows: 40, targets: 100, tasks: 10 }, "pool");
    const before = filesParsedOnWorkers();
    const [pooled, local] = await Promise.all([loadWithWorkers(dir), loadInThread(dir)]);
    expect(filesParsedOnWorkers() - before).toBeGreaterThan(0);
    expect(pooled.diagnostics).toEqual([]);
    expect(pooled.state!.resources.map((r) => r.doc)).toEqual(local.state!.resources.map((r) => r.doc));

    // One bad file among many: the same finding, with the same file, line and field.
    const file = path.join(dir, "windows", "w3.yaml");
    writeFileSync(file, `${"# a comment line\n".repeat(3)}apiVersion: patchctl/v1\nkind: MaintenanceWindow\nmetadata:\n  name: broken\nspec:\n  schedule: cron(0 2 ? * SUN *)\n  duration: 2\n  cutoff: 1\n  nope: 1\n`);
    const [badPooled, badLocal] = await Promise.all([loadWithWorkers(dir), loadInThread(dir)]);
    expect(badPooled.state).toBeUndefined();
    expect(badPooled.diagnostics).toEqual(badLocal.diagnostics);
    expect(badPooled.diagnostics).toContainEqual(expect.objectContaining({ file, line: 12, field: "spec.nope" }));
  });
});
