import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { Document, isNode, isScalar, isSeq, visit } from "yaml";
import { packageRoot } from "../package-root.js";
import type { ImportedFile } from "./build.js";

/** Scalar lists up to this many characters are written inline: `values: [Critical, Important]`. */
const FLOW_LIMIT = 72;

/** The yaml-language-server modeline the examples carry, pointing at patchctl's schemas from `fileDir`. */
export function schemaModeline(fileDir: string): string {
  const schema = path.join(packageRoot(), "schemas", "patchctl.schema.json");
  const rel = path.relative(fileDir, schema).split(path.sep).join("/");
  return ` yaml-language-server: $schema=${rel}`;
}

/** One imported document as YAML text: modeline, header, the document with its comments. */
export function renderFile(file: ImportedFile, fileDir: string): string {
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
  const top = [schemaModeline(fileDir), ...file.header.map((l) => ` ${l}`)].join("\n");
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
    await writeFile(full, renderFile(f, path.dirname(path.resolve(full))), { mode: 0o600 });
    written.push(full);
  }
  return written;
}
