import { decodeYamlBytes, fastValues, MAX_DEPTH, MAX_FILE_BYTES } from "./yaml-fast.js";
import { LineCounter, parseAllDocuments, isMap, isSeq, isPair, isScalar, isNode } from "yaml";
import type { Document, Node, ParsedNode } from "yaml";
import type { Diagnostic, FieldPath, SourcePos } from "../model/diagnostics.js";

/** Limits that keep a hostile file from exhausting memory or the stack. */
export const YAML_LIMITS = {
  maxFileBytes: MAX_FILE_BYTES,
  maxAliasCount: 100,
  maxDepth: MAX_DEPTH,
};

/** One parsed YAML document with a way back from a field path to its place in the file. */
export interface SourceDocument {
  file: string;
  /** The document as plain data (maps → objects, seqs → arrays). */
  value: unknown;
  /** Where the document starts. */
  pos: SourcePos;
  /** Where the field at `path` is (its value; else its key; else the nearest parent). */
  locate(path: FieldPath): SourcePos;
  /** Where the key of the field at `path` is (for "unknown field" findings). */
  locateKey(path: FieldPath): SourcePos;
  /** False when the document's text holds no `${values.` reference (nothing to substitute); undefined when not known. */
  hasValueReferences?: boolean;
}

/** What a per-deployment value reference starts with. */
export const VALUE_REFERENCE = "${values.";

/** The same document (same places) holding another value; keeps positions lazy (a spread would not). */
export function withValue(source: SourceDocument, value: unknown): SourceDocument {
  return {
    file: source.file,
    value,
    get pos() {
      return source.pos;
    },
    locate: (path) => source.locate(path),
    locateKey: (path) => source.locateKey(path),
    hasValueReferences: source.hasValueReferences,
  };
}

export interface ParsedFile {
  documents: SourceDocument[];
  diagnostics: Diagnostic[];
}

function yamlDiagnostic(file: string, line: number, column: number, message: string, code = "yaml"): Diagnostic {
  return { severity: "error", file, line, column, message, code };
}

/** A file's text, or why it cannot be read as YAML (too large, not UTF-8, empty). */
export function decodeYamlFile(file: string, bytes: Uint8Array): { text: string } | { failed: ParsedFile } {
  const failed = (diagnostic: Diagnostic): { failed: ParsedFile } => ({ failed: { documents: [], diagnostics: [diagnostic] } });
  const decoded = decodeYamlBytes(bytes);
  if ("text" in decoded) return decoded;
  switch (decoded.failure) {
    case "too-large":
      return failed(yamlDiagnostic(file, 1, 1, `file is ${bytes.byteLength} bytes; at most ${YAML_LIMITS.maxFileBytes} are accepted`, "file"));
    case "not-utf8": {
      const { line, column } = firstInvalidUtf8(bytes);
      return failed(yamlDiagnostic(file, line, column, "file is not valid UTF-8", "encoding"));
    }
    case "empty":
      return failed(yamlDiagnostic(file, 1, 1, "file is empty: expected at least one YAML document", "empty"));
  }
}

/** Parses one file's bytes into documents, or explains precisely why it cannot. Never throws. */
export function parseYamlFile(file: string, bytes: Uint8Array): ParsedFile {
  const decoded = decodeYamlFile(file, bytes);
  return "text" in decoded ? parseDecoded(file, decoded.text, undefined) : decoded.failed;
}

/**
 * parseYamlFile for text already decoded, when the fast path's values come from elsewhere
 * (a worker thread): those values, or the full parser when there are none.
 */
export function parseDecoded(file: string, text: string, values: unknown[] | undefined): ParsedFile {
  if (values) return documentsFromValues(file, text, values);
  return parseFast(file, text) ?? parseWithPositions(file, text);
}

/**
 * The common case, fast: a file that js-yaml reads without complaint (no duplicate keys, no
 * unknown tags), with no anchors, complex keys or directives, and no empty or null documents.
 * Its values are what the `yaml` package would give (same core schema); positions are only
 * needed for findings, so the position-keeping parse runs on the first locate(). Anything
 * else returns undefined and takes the full parser, with its precise error positions.
 */
function parseFast(file: string, text: string): ParsedFile | undefined {
  const values = fastValues(text);
  return values && documentsFromValues(file, text, values);
}

/** The documents of a file whose values the fast path gave (here or on a worker thread); positions on demand. */
export function documentsFromValues(file: string, text: string, values: unknown[]): ParsedFile {
  let full: SourceDocument[] | undefined;
  const positioned = (i: number): SourceDocument | undefined => {
    full ??= parseWithPositions(file, text).documents;
    return full.length === values.length ? full[i] : undefined;
  };
  const fileStart: SourcePos = { file, line: 1, column: 1 };
  const hasValueReferences = text.includes(VALUE_REFERENCE);
  return {
    diagnostics: [],
    documents: values.map((value, i) => ({
      file,
      value,
      hasValueReferences,
      get pos() {
        return positioned(i)?.pos ?? fileStart;
      },
      locate: (path) => positioned(i)?.locate(path) ?? fileStart,
      locateKey: (path) => positioned(i)?.locateKey(path) ?? fileStart,
    })),
  };
}


/** The `yaml` package's parse: every node keeps its place in the file. */
function parseWithPositions(file: string, text: string): ParsedFile {
  const nesting = estimateNesting(text);
  if (nesting.depth > YAML_LIMITS.maxDepth) {
    return { documents: [], diagnostics: [yamlDiagnostic(file, nesting.line, 1, `document nests deeper than ${YAML_LIMITS.maxDepth} levels`)] };
  }
  const lineCounter = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  const documents: SourceDocument[] = [];
  let parsed: Document.Parsed[];
  try {
    parsed = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, schema: "core" }) as Document.Parsed[];
  } catch (err) {
    return { documents: [], diagnostics: [yamlDiagnostic(file, 1, 1, `cannot parse YAML: ${errorText(err)}`)] };
  }
  const at = (offset: number): SourcePos => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };

  for (const doc of parsed) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const p = at(e.pos[0]);
        diagnostics.push(yamlDiagnostic(file, p.line, p.column, describeYamlError(e.code, e.message)));
      }
      continue;
    }
    if (doc.contents === null) continue; // an empty document between separators
    const start = at(doc.contents.range[0]);
    const depth = nodeDepth(doc.contents, 0);
    if (depth > YAML_LIMITS.maxDepth) {
      diagnostics.push(yamlDiagnostic(file, start.line, start.column, `document nests deeper than ${YAML_LIMITS.maxDepth} levels`, "yaml"));
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
    } catch (err) {
      diagnostics.push(yamlDiagnostic(file, start.line, start.column, `cannot expand document: ${errorText(err)}`, "yaml"));
      continue;
    }
    const contents = doc.contents;
    documents.push({
      file,
      value,
      pos: start,
      locate: (path) => at(findNode(contents, path, false).range?.[0] ?? contents.range[0]),
      locateKey: (path) => at(findNode(contents, path, true).range?.[0] ?? contents.range[0]),
    });
  }
  if (documents.length === 0 && diagnostics.length === 0) {
    diagnostics.push(yamlDiagnostic(file, 1, 1, "file holds no YAML documents (only comments or separators)", "empty"));
  }
  return { documents, diagnostics };
}

/**
 * A cheap upper bound on nesting, checked before the YAML parser runs: the parser
 * recurses per level, and thousands of levels exhaust the stack (or worse).
 * Flow brackets outside quotes and comments, plus block depth (indent and "- " runs).
 */
export function estimateNesting(text: string): { depth: number; line: number } {
  let flow = 0;
  let max = 0;
  let maxLine = 1;
  let line = 1;
  let quote: string | null = null;
  let lineStart = true;
  let indent = 0;
  let dashes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\n") {
      line++;
      lineStart = true;
      indent = 0;
      dashes = 0;
      if (quote === "'") quote = null;
      continue;
    }
    if (quote) {
      if (c === quote && text[i - 1] !== "\\") quote = null;
      continue;
    }
    if (lineStart) {
      if (c === " " || c === "\t") {
        indent++;
        continue;
      }
      if (c === "-" && (text[i + 1] === " " || text[i + 1] === "\t")) {
        dashes++;
        indent++;
        continue;
      }
      lineStart = false;
      const block = Math.floor(indent / 2) + dashes;
      if (block > max) {
        max = block;
        maxLine = line;
      }
    }
    if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl - 1;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "{") {
      flow++;
      if (flow + Math.floor(indent / 2) + dashes > max) {
        max = flow + Math.floor(indent / 2) + dashes;
        maxLine = line;
      }
    } else if ((c === "]" || c === "}") && flow > 0) flow--;
  }
  if (lineStart) {
    const block = Math.floor(indent / 2) + dashes;
    if (block > max) {
      max = block;
      maxLine = line;
    }
  }
  return { depth: max, line: maxLine };
}

function describeYamlError(code: string, message: string): string {
  const firstLine = message.split("\n")[0] ?? message;
  if (code === "DUPLICATE_KEY") return `duplicate key: ${firstLine}`;
  return firstLine.replace(/ at line \d+, column \d+:?$/, "");
}

function errorText(err: unknown): string {
  if (err instanceof RangeError && /call stack/i.test(err.message)) return "document is nested too deeply";
  return err instanceof Error ? err.message : String(err);
}

function nodeDepth(node: unknown, depth: number): number {
  if (depth > YAML_LIMITS.maxDepth) return depth;
  let max = depth;
  if (isMap(node)) {
    for (const pair of node.items) {
      max = Math.max(max, nodeDepth(pair.key, depth + 1), nodeDepth(pair.value, depth + 1));
      if (max > YAML_LIMITS.maxDepth) return max;
    }
  } else if (isSeq(node)) {
    for (const item of node.items) {
      max = Math.max(max, nodeDepth(item, depth + 1));
      if (max > YAML_LIMITS.maxDepth) return max;
    }
  }
  return max;
}

type Ranged = { range?: readonly [number, number, number] | null };

/** Walks `path` through maps and sequences; returns the deepest node reached. */
function findNode(root: ParsedNode, path: FieldPath, preferKey: boolean): Ranged {
  let current: Node | null = root;
  let last: Ranged = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const isLast = i === path.length - 1;
    if (isMap(current)) {
      const items: unknown[] = current.items;
      const pair = items.find((p): p is { key: unknown; value: unknown } => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return last;
      const key = pair.key as Ranged;
      if (isLast && preferKey) return key;
      if (isNode(pair.value)) {
        current = pair.value;
        last = pair.value;
      } else {
        return key;
      }
    } else if (isSeq(current) && typeof seg === "number") {
      const item: unknown = (current.items as unknown[])[seg];
      if (!isNode(item)) return last;
      current = item;
      last = item;
    } else {
      return last;
    }
  }
  return last;
}

function firstInvalidUtf8(bytes: Uint8Array): { line: number; column: number } {
  let line = 1;
  let column = 1;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let len = 0;
    if (b < 0x80) len = 1;
    else if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) len = 3;
    else if (b >= 0xf0 && b <= 0xf4) len = 4;
    if (len === 0 || i + len > bytes.length) return { line, column };
    for (let k = 1; k < len; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return { line, column };
    if (b === 0x0a) {
      line++;
      column = 1;
    } else {
      column++;
    }
    i += len;
  }
  return { line, column };
}
