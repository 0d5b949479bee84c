import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Diagnostic } from "../model/diagnostics.js";
import type { ConfigDoc, ResourceDoc, ResourceKind } from "../model/desired.js";
import { API_VERSION, RESOURCE_KINDS } from "../model/desired.js";
import { findDesiredStateFiles } from "./find-files.js";
import { checkAgainstSchema } from "./schema-check.js";
import { checkSemantics } from "./semantic-check.js";
import { parseYamlFile } from "./yaml-source.js";
import type { SourceDocument } from "./yaml-source.js";

/** A validated resource document and where it came from. */
export interface LoadedResource<D extends ResourceDoc = ResourceDoc> {
  doc: D;
  source: SourceDocument;
  /** "PatchBaseline/production-baseline" */
  key: string;
}

export interface DesiredState {
  dir: string;
  config: ConfigDoc;
  configSource: SourceDocument;
  resources: LoadedResource[];
}

export interface LoadResult {
  /** Present only when there are no errors. */
  state?: DesiredState;
  diagnostics: Diagnostic[];
}

export const CONFIG_FILE = "patchctl.yaml";

export function resourceKey(kind: ResourceKind, name: string): string {
  return `${kind}/${name}`;
}

function at(source: SourceDocument, message: string, code: string, field?: string, resource?: string): Diagnostic {
  const pos = field ? source.locateKey([field]) : source.pos;
  return { severity: "error", file: pos.file, line: pos.line, column: pos.column, message, code, field, resource };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Reads a desired-state directory: every *.yaml/*.yml below it (multi-document),
 * one Config, any number of resources. Validates against the JSON Schemas and
 * then the semantic rules, collecting every finding. Never throws for bad input.
 */
export async function loadDesiredState(dir: string, options: { readFile?: (f: string) => Promise<Uint8Array> } = {}): Promise<LoadResult> {
  const read = options.readFile ?? ((f: string) => readFile(f));
  const found = await findDesiredStateFiles(dir);
  const diagnostics: Diagnostic[] = [...found.diagnostics];
  const configs: { doc: ConfigDoc; source: SourceDocument }[] = [];
  const resources: LoadedResource[] = [];

  for (const file of found.files) {
    let bytes: Uint8Array;
    try {
      bytes = await read(file);
    } catch (err) {
      diagnostics.push({ severity: "error", file, line: 1, column: 1, message: `cannot read file: ${(err as Error).message}`, code: "file" });
      continue;
    }
    const parsed = parseYamlFile(file, bytes);
    diagnostics.push(...parsed.diagnostics);
    for (const source of parsed.documents) {
      const value = source.value;
      if (!isRecord(value)) {
        diagnostics.push(at(source, `expected a mapping with apiVersion, kind, metadata and spec (got ${Array.isArray(value) ? "a list" : JSON.stringify(value)})`, "document"));
        continue;
      }
      const kind = value.kind;
      if (value.apiVersion !== API_VERSION) {
        diagnostics.push(at(source, value.apiVersion === undefined ? `missing apiVersion: expected '${API_VERSION}'` : `unsupported apiVersion ${JSON.stringify(value.apiVersion)}: expected '${API_VERSION}'`, "document", value.apiVersion === undefined ? undefined : "apiVersion"));
        continue;
      }
      if (kind === "Config") {
        const errs = checkAgainstSchema("Config", source, "Config");
        diagnostics.push(...errs);
        if (errs.length === 0) configs.push({ doc: value as unknown as ConfigDoc, source });
        continue;
      }
      if (typeof kind !== "string" || !(RESOURCE_KINDS as readonly string[]).includes(kind)) {
        diagnostics.push(at(source, kind === undefined ? `missing kind: expected one of Config, ${RESOURCE_KINDS.join(", ")}` : `unknown kind ${JSON.stringify(kind)}: expected one of Config, ${RESOURCE_KINDS.join(", ")}`, "document", kind === undefined ? undefined : "kind"));
        continue;
      }
      const name = isRecord(value.metadata) && typeof value.metadata.name === "string" ? value.metadata.name : undefined;
      const key = resourceKey(kind as ResourceKind, name ?? "?");
      const errs = checkAgainstSchema(kind as ResourceKind, source, key);
      diagnostics.push(...errs);
      if (errs.length === 0) resources.push({ doc: value as unknown as ResourceDoc, source, key });
    }
  }

  const configSource = configs[0];
  if (configs.length === 0 && !diagnostics.some((d) => d.resource === "Config")) {
    const hasConfigFile = found.files.some((f) => path.basename(f) === CONFIG_FILE);
    diagnostics.push({
      severity: "error",
      file: path.join(dir, CONFIG_FILE),
      line: 1,
      column: 1,
      message: hasConfigFile
        ? `no 'kind: Config' document found: ${CONFIG_FILE} must hold one with 'owner:' (the ownership id written onto what patchctl creates)`
        : `missing ${CONFIG_FILE}: a desired-state directory needs one 'kind: Config' document with 'owner:' (the ownership id written onto what patchctl creates)`,
      code: "config",
    });
  }
  for (const extra of configs.slice(1)) {
    diagnostics.push(at(extra.source, `a second Config document; the first is at ${configs[0]!.source.pos.file}:${configs[0]!.source.pos.line}`, "config"));
  }

  diagnostics.push(...checkSemantics(resources));
  const errors = diagnostics.filter((d) => d.severity === "error");
  sortDiagnostics(diagnostics);
  if (errors.length > 0 || !configSource) return { diagnostics };
  return { state: { dir, config: configSource.doc, configSource: configSource.source, resources }, diagnostics };
}

export function sortDiagnostics(list: Diagnostic[]): void {
  list.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}
