import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The layers point down: no file imports (even for types) a file that imports it back, directly or
 * through others, and no folder of src/ does either. Read from the sources' own import statements,
 * resolved like TypeScript's NodeNext (`./x.js` is `./x.ts`).
 */
const ROOTS = ["src", "cmd"];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return full.endsWith(".ts") ? [full] : [];
  });
}

const SPECIFIER = /(?:^|\n)\s*(?:import|export)\b[^"';]*?\bfrom\s*["']([^"']+)["']|(?:^|\n)\s*import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec || !spec.startsWith(".")) continue;
    const resolved = path.normalize(path.join(path.dirname(file), spec.replace(/\.js$/, ".ts")));
    out.push(resolved);
  }
  return out;
}

/** Every cycle's members (strongly connected components of more than one node, or a self-loop), by Tarjan. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)?.has(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

const files = ROOTS.flatMap(sources);
const fileGraph = new Map(files.map((f) => [f, new Set(importsOf(f).filter((t) => files.includes(t)))]));

/** src/reconciler/plan.ts → src/reconciler; src/package-root.ts → src. */
function folderOf(file: string): string {
  const parts = file.split(path.sep);
  return parts.length > 2 ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** The kinds, as the plan vocabulary lists them. */
const KINDS = [...readFileSync("src/model/plan.ts", "utf8").matchAll(/^export type ResourceType = (.*);$/gm)][0]![1]!.split("|").map((k) => k.trim().replace(/"/g, ""));

describe("the engine knows no kind by name", () => {
  it("finds the kinds it looks for", () => {
    expect(KINDS).toContain("MaintenanceWindow");
    expect(KINDS.length).toBeGreaterThanOrEqual(7);
  });

  it("no kind name in src/reconciler or src/controller: each kind's rules live in its handler", () => {
    const engine = files.filter((f) => /^src[\\/](reconciler|controller)[\\/]/.test(f));
    expect(engine.length).toBeGreaterThan(5);
    const found: string[] = [];
    for (const f of engine) {
      readFileSync(f, "utf8").split("\n").forEach((line, i) => {
        for (const k of KINDS) if (new RegExp(`["'\`]${k}\\b`).test(line)) found.push(`${f}:${i + 1}: ${k}`);
      });
    }
    expect(found).toEqual([]);
  });
});

describe("layers", () => {
  it("reads the imports it checks (the checker is not blind)", () => {
    expect(files.length).toBeGreaterThan(50);
    expect(fileGraph.get(path.normalize("cmd/patchctl.ts"))).toContain(path.normalize("src/cli/main.ts"));
    expect(cycles(new Map([["a", new Set(["b"])], ["b", new Set(["a"])]]))).toEqual([["a", "b"]]);
  });

  it("no file-level import cycles", () => {
    expect(cycles(fileGraph)).toEqual([]);
  });

  it("no folder-level import cycles in src/", () => {
    const folders = new Map<string, Set<string>>();
    for (const [from, tos] of fileGraph) {
      const a = folderOf(from);
      if (!folders.has(a)) folders.set(a, new Set());
      for (const to of tos) {
        const b = folderOf(to);
        if (a !== b) folders.get(a)!.add(b);
      }
    }
    const explain = (scc: string[]): string =>
      [...fileGraph].flatMap(([from, tos]) => [...tos].filter((to) => scc.includes(folderOf(from)) && scc.includes(folderOf(to)) && folderOf(from) !== folderOf(to)).map((to) => `${from} -> ${to}`)).join("\n");
    const found = cycles(folders);
    expect(found.map(explain)).toEqual([]);
  });
});
