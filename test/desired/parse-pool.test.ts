import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeWrittenFleets, writeFleet } from "../../bench/bench.js";
// The compiled loader (npm test builds first): its worker script exists, so large trees are
// parsed on worker threads. The TypeScript one run by vitest has no compiled worker and
// parses in its own thread: the reference.
// (dist/ has no type declarations: typed as the sources they were compiled from.)
const { loadDesiredState: loadWithWorkers } = (await import("../../dist/src/desired/load.js" as string)) as typeof import("../../src/desired/load.js");
const { filesParsedOnWorkers, filesReadOnWorkers } = (await import("../../dist/src/desired/parse-pool.js" as string)) as typeof import("../../src/desired/parse-pool.js");
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

  it("reads a tree of many files on the workers and decodes them as the loader's own thread does", async () => {
    const dir = writeFleet({ baselines: 30, groupsPerBaseline: 2, windows: 40, targets: 10, tasks: 5 }, "pool"); // 71 files, POOL_MIN_FILES or more
    // A byte-order mark (stripped), bytes that are not UTF-8 (a finding with its line), an empty file.
    const bom = path.join(dir, "windows", "w5.yaml");
    writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(bom)]));
    writeFileSync(path.join(dir, "windows", "latin1.yaml"), Buffer.concat([Buffer.from("apiVersion: patchctl/v1\nkind: MaintenanceWindow\nmetadata:\n  name: caf"), Buffer.from([0xe9]), Buffer.from("\n")]));
    writeFileSync(path.join(dir, "windows", "empty.yaml"), "  \n");
    const [parsedBefore, readBefore] = [filesParsedOnWorkers(), filesReadOnWorkers()];
    const [pooled, local] = await Promise.all([loadWithWorkers(dir), loadInThread(dir)]);
    // Every file is read there; all but the two the main thread reports (not UTF-8, empty) are parsed there.
    expect(filesReadOnWorkers() - readBefore).toBe(73);
    expect(filesParsedOnWorkers() - parsedBefore).toBe(71);
    expect(pooled.diagnostics).toEqual(local.diagnostics);
    expect(pooled.diagnostics).toContainEqual(expect.objectContaining({ file: path.join(dir, "windows", "latin1.yaml"), line: 4, code: "encoding" }));
    expect(pooled.diagnostics).toContainEqual(expect.objectContaining({ file: path.join(dir, "windows", "empty.yaml"), code: "empty" }));
    expect(pooled.diagnostics.some((d) => d.file === bom)).toBe(false);
  });
});
