import { readFileSync } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { Document, isNode, isScalar, isSeq, visit } from "yaml";
import { packageRoot } from "../package-root.js";
import type { ImportedFile } from "./build.js";

/** Scalar lists up to this many characters are written inline: `values: [Critical, Important]`. */
const FLOW_LIMIT = 72;

/**
 * Where import copies patchctl's JSON Schemas, inside the output directory: the modelines
 * point there, so the directory stays self-contained wherever it is committed or checked
 * out (a path into patchctl's installation would break on the next machine). Hidden, so the
 * loader skips it.
 */
export const SCHEMA_DIR = ".schemas";
const ROOT_SCHEMA = "patchctl.schema.json";

/** The yaml-language-server modeline of a file in `fileDir`, pointing at the schema copy below `outDir`. */
export function schemaModeline(fileDir: string, outDir: string): string {
  const schema = path.join(path.resolve(outDir), SCHEMA_DIR, ROOT_SCHEMA);
  const rel = path.relative(path.resolve(fileDir), schema).split(path.sep).join("/");
  return ` yaml-language-server: $schema=${rel}`;
}

/** patchctl.schema.json and every schema file it refers to (relative $refs), transitively. */
function schemaFiles(): string[] {
  const dir = path.join(packageRoot(), "schemas");
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const refs = [...readFileSync(path.join(dir, name), "utf8").matchAll(/"\$ref"\s*:\s*"([^"#]+)(?:#[^"]*)?"/g)].map((m) => m[1]!);
    for (const ref of refs) if (!/^[a-z]+:/i.test(ref)) visit(path.posix.normalize(ref));
  };
  visit(ROOT_SCHEMA);
  return [...seen].sort();
}

/** Copies the schemas the modelines point at into `<outDir>/.schemas/`; returns their paths. */
export async function writeSchemas(outDir: string): Promise<string[]> {
  const src = path.join(packageRoot(), "schemas");
  const dest = path.join(outDir, SCHEMA_DIR);
  await mkdir(dest, { recursive: true });
  const written: string[] = [];
  for (const name of schemaFiles()) {
    const full = path.join(dest, name);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, readFileSync(path.join(src, name)));
    written.push(full);
  }
  return written;
}

/** One imported document as YAML text: modeline, header, the document with its comments. */
export function renderFile(file: ImportedFile, fileDir: string, outDir: string): string {
  const doc = new Document(file.doc);
  for (const c of file.comments) {
    const node = doc.getIn(c.path, true);
    if (isNode(node)) node.commentBefore = c.lines.map((l) => ` ${l}`).join("\n");
  }
  visit(doc, {
    Seq(_, node) {
      if (!isSeq(node) || !node.items.every((i) => isScalar(i))) return;
      const text = node.items.map((i) => String(isScalar(i) ? i.value : "")).join(", ");
      if (text.length <= FLOW_LIMIT && !text.includes("\n")) node.flow = true;
    },
  });
  const top = [schemaModeline(fileDir, outDir), ...file.header.map((l) => ` ${l}`)].join("\n");
  if (isNode(doc.contents)) doc.contents.commentBefore = top;
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** True when `dir` is missing or holds nothing. */
export async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw err;
  }
}

/** Writes every file below `outDir`; returns their absolute paths. */
export async function writeImport(outDir: string, files: ImportedFile[]): Promise<string[]> {
  const written: string[] = [];
  for (const f of files) {
    const full = path.join(outDir, f.path);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, renderFile(f, path.dirname(full), outDir), { mode: 0o600 });
    written.push(full);
  }
  return written;
}
