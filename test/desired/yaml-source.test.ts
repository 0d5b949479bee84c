import fc from "fast-check";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { loadDesiredState } from "../../src/desired/load.js";
import { parseYamlFile, YAML_LIMITS } from "../../src/desired/yaml-source.js";
import { writeTree } from "../helpers/tmpdir.js";

/**
 * The loader reads most files with js-yaml (fast) and keeps the `yaml` package for what
 * needs positions or its guards. Both must give the same values, and findings in a file
 * read the fast way must still name the right line.
 */
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Values as the position-keeping parser gives them (what the loader used to return). */
function reference(text: string): unknown[] {
  return parseAllDocuments(text, { schema: "core", uniqueKeys: true }).map((d) => d.toJS());
}

describe("desired-state YAML parsing", () => {
  it("resolves scalars exactly as the YAML 1.2 core schema does, YAML 1.1 forms staying strings", () => {
    const scalars = [
      "0b101", "1_000", "007", "0o17", "0x1F", "0X1F", ".5", "1.", "1e5", "1e-3", "+12", "-0", "-.inf", ".NaN", "9007199254740993",
      "yes", "no", "on", "off", "y", "~", "", "Null", "NULL", "TRUE", "False", "2026-01-01", "2026-01-01T00:00:00Z", "12:30", "'12'", '"0x1F"',
      "!!str 12", "!!int 12", "!!float 1", "!!float 1.5", "!!int 1.5", "!!bool yes", "[1, two, 3.5, null]", "{b: c, 1: d, true: e}", "|\n  multi\n  line\n", ">\n  folded\n  text\n",
    ];
    for (const s of scalars) {
      const text = `a: ${s}\n`;
      const parsed = parseYamlFile("x.yaml", bytes(text));
      expect(parsed.diagnostics, s).toEqual([]);
      expect(parsed.documents.map((d) => d.value), s).toEqual(reference(text));
    }
  });

  it("agrees with the reference parser on random plain and tagged scalars", () => {
    const chars = fc.constantFrom(..."0123456789.+-eExXob_:~ aAfFtTrRuUlLsSnNiI".split(""));
    const tag = fc.constantFrom("", "!!str ", "!!int ", "!!float ", "!!bool ", "!!null ");
    fc.assert(
      fc.property(tag, fc.array(chars, { maxLength: 12 }), (t, cs) => {
        const text = `a: ${t}${cs.join("")}\n`;
        const parsed = parseYamlFile("x.yaml", bytes(text));
        const ref = parseAllDocuments(text, { schema: "core", uniqueKeys: true });
        // Text the reference rejects is out of scope here: js-yaml is more lenient with a few malformed
        // constructs (`a: !!str :`); what it makes of them still has to pass the schema and semantic checks.
        if (ref.some((d) => d.errors.length > 0)) return true;
        if (parsed.diagnostics.length > 0) return false;
        // NaN compares unequal to itself: compare as JSON with NaN spelled out.
        const show = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === "number" && !Number.isFinite(x) ? String(x) : x));
        return show(parsed.documents.map((d) => d.value)) === show(ref.map((d) => d.toJS()));
      }),
      { numRuns: 3000 },
    );
  });

  it("gives the same documents for multi-document files", () => {
    const text = "a: 1\n---\nb: [x, y]\n...\n---\nc: {d: 0o10}\n";
    expect(parseYamlFile("x.yaml", bytes(text)).documents.map((d) => d.value)).toEqual(reference(text));
  });

  it("leaves anchors, duplicate keys and syntax errors to the position-keeping parser, with its messages and limits", () => {
    const dup = parseYamlFile("dup.yaml", bytes("a: 1\nb: 2\na: 3\n"));
    expect(dup.documents).toEqual([]);
    expect(dup.diagnostics).toEqual([expect.objectContaining({ file: "dup.yaml", line: 3, message: expect.stringMatching(/^duplicate key/) })]);

    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n");
    const exploded = parseYamlFile("bomb.yaml", bytes(bomb));
    expect(exploded.documents).toEqual([]);
    expect(exploded.diagnostics[0]?.message).toMatch(/alias|expand/i);

    const deep = `a: ${"[".repeat(YAML_LIMITS.maxDepth + 10)}${"]".repeat(YAML_LIMITS.maxDepth + 10)}\n`;
    expect(parseYamlFile("deep.yaml", bytes(deep)).diagnostics[0]?.message).toMatch(/nests deeper than 64 levels/);

    const broken = parseYamlFile("broken.yaml", bytes("a: [1, 2\nb: 3\n"));
    expect(broken.documents).toEqual([]);
    expect(broken.diagnostics[0]).toMatchObject({ file: "broken.yaml", line: expect.any(Number) });
  });

  it("finds the line of a field in a file read the fast way (positions are computed on demand)", async () => {
    const dir = writeTree({
      "patchctl.yaml": "apiVersion: patchctl/v1\nkind: Config\nowner: team\n",
      "windows.yaml": [
        "apiVersion: patchctl/v1",
        "kind: MaintenanceWindow",
        "metadata:",
        "  name: weekly",
        "spec:",
        "  schedule: cron(0 2 ? * SUN *)",
        "  duration: 2",
        "  cutoff: 5",
        "  unknownField: true",
        "",
      ].join("\n"),
    });
    const loaded = await loadDesiredState(dir);
    expect(loaded.state).toBeUndefined();
    expect(loaded.diagnostics.map((d) => [d.file.endsWith("windows.yaml"), d.line, d.field])).toEqual(expect.arrayContaining([[true, 9, "spec.unknownField"]]));
  });
});
