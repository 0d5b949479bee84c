import { readFile } from "node:fs";
import { createLimiter } from "../util/limit.js";
import path from "node:path";
import type { Diagnostic } from "../model/diagnostics.js";
import type { ConfigDoc, DeploymentSpec, ResourceDoc, ResourceKind } from "../model/desired.js";
import { substituteValues } from "./deployment-values.js";
import { API_VERSION, RESOURCE_KINDS } from "../model/desired.js";
import { findDesiredStateFiles } from "./find-files.js";
import { checkConfigFreezes } from "./config-freezes.js";
import { checkConfigPolicies } from "./config-policies.js";
import { checkAgainstSchema } from "./schema-check.js";
import { checkSemantics } from "./semantic-check.js";
import type { FilterValueSource } from "./semantic-check.js";
import { POOL_MIN_FILES, POOL_THRESHOLD_BYTES, parsePoolAvailable, readOnPool, valuesFromPool } from "./parse-pool.js";
import { decodeYamlFile, parseDecoded, withValue } from "./yaml-source.js";
import type { SourceDocument } from "./yaml-source.js";

export type { DeploymentState, DesiredState, LoadedResource } from "./state.js";
import type { DeploymentState, DesiredState, LoadedResource } from "./state.js";

/** The implicit deployment of a desired state without `deployments:`. */
export const DEFAULT_DEPLOYMENT = "default";

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

/** A resource document's key, from its metadata.name ("?" when it has none). */
function keyOf(kind: ResourceKind, value: Record<string, unknown>): string {
  const name = isRecord(value.metadata) && typeof value.metadata.name === "string" ? value.metadata.name : undefined;
  return resourceKey(kind, name ?? "?");
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * A file's bytes. The callback readFile, not fs/promises': the same read in half the time
 * (1,010 files of a large tree: 16-20 ms against 33-39 ms, measured with 16 reads in flight), and
 * still off the event loop (a controller keeps answering /healthz while a slow disk reads).
 */
function readWhole(file: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => readFile(file, (err, bytes) => (err ? reject(err) : resolve(bytes))));
}

/**
 * Reads a desired-state directory: every *.yaml/*.yml below it (multi-document),
 * one Config, any number of resources. Validates against the JSON Schemas and
 * then the semantic rules, collecting every finding. Never throws for bad input.
 */
const READ_CONCURRENCY = 16;

/**
 * `filterValues: "account"`: leave the values of DescribePatchProperties' properties to the online
 * pre-flight (validate --online, reconcile); the default checks them against the shipped catalog.
 */
export async function loadDesiredState(dir: string, options: { readFile?: (f: string) => Promise<Uint8Array>; filterValues?: FilterValueSource } = {}): Promise<LoadResult> {
  const read = options.readFile ?? readWhole;
  const found = await findDesiredStateFiles(dir);
  const diagnostics: Diagnostic[] = [...found.diagnostics];
  const configs: { doc: ConfigDoc; source: SourceDocument }[] = [];
  /** schemaFindings: the schema check's result when it is the same in every deployment. */
  const rawResources: { kind: ResourceKind; key: string; source: SourceDocument; schemaFindings?: Diagnostic[] }[] = [];

  // Read concurrently (a large tree is otherwise mostly waiting on the disk), parse in order.
  // A large tree is parsed on worker threads (js-yaml there, the documents sent back as JSON):
  // one of POOL_MIN_FILES files from the start, a smaller one once the bytes read reach
  // POOL_THRESHOLD_BYTES (the files read so far then go to the pool as they are). Files not yet
  // read are read there too (a blocking read off this thread costs a fraction of an asynchronous
  // one here: 1,010 files, 5 ms against 20-40 ms of this thread), their bytes sent back with the
  // answer: parsing overlaps the reading instead of waiting for the last file. Bytes are decoded
  // and checked here in every case, so a file reads the same wherever it was parsed.
  const decoded: (ReturnType<typeof decodeYamlFile> | undefined)[] = new Array(found.files.length);
  const pending: (Promise<unknown[] | undefined> | undefined)[] = new Array(found.files.length);
  let bytesRead = 0;
  // An injected reader (tests, other sources) reads every file itself; only the parsing is pooled.
  const readOnWorkers = options.readFile === undefined;
  let pooled = readOnWorkers && found.files.length >= POOL_MIN_FILES && parsePoolAvailable();
  const toPool = (i: number): void => {
    const d = decoded[i];
    if (d && "text" in d) pending[i] = valuesFromPool(d.text);
  };
  const limit = createLimiter(READ_CONCURRENCY);
  const reads = found.files.map((file, i) => limit(async (): Promise<{ file: string; bytes?: Uint8Array; error?: string }> => {
    if (pooled && readOnWorkers) {
      const answer = await readOnPool(file, read);
      if (!answer.bytes) return { file, error: answer.error };
      decoded[i] = decodeYamlFile(file, answer.bytes);
      pending[i] = Promise.resolve(answer.values);
      return { file, bytes: answer.bytes };
    }
    let bytes: Uint8Array;
    try {
      bytes = await read(file);
    } catch (err) {
      return { file, error: (err as Error).message };
    }
    decoded[i] = decodeYamlFile(file, bytes);
    bytesRead += bytes.byteLength;
    if (pooled) toPool(i);
    else if (bytesRead >= POOL_THRESHOLD_BYTES && parsePoolAvailable()) {
      pooled = true;
      for (let j = 0; j < decoded.length; j++) if (decoded[j] !== undefined) toPool(j);
    }
    return { file, bytes };
  }));
  const allRead = Promise.all(reads);
  allRead.catch(() => {}); // a failure surfaces where its file is awaited below
  // Each file is taken up as soon as it is read and its answer is in (in order), so checking
  // overlaps reading and parsing. Until the pool is decided on, only the last read can decide.
  for (let i = 0; i < reads.length; i++) {
    const { file, bytes, error } = await reads[i]!;
    if (!pooled) await allRead;
    const d = decoded[i];
    if (bytes === undefined || d === undefined) {
      diagnostics.push({ severity: "error", file, line: 1, column: 1, message: `cannot read file: ${error ?? "unknown error"}`, code: "file" });
      continue;
    }
    const values = pending[i] ? await pending[i] : undefined;
    const parsed = "text" in d ? parseDecoded(file, d.text, values) : d.failed;
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
        diagnostics.push(...checkConfigPolicies(value, source));
        const freezeErrors = checkConfigFreezes(value, source);
        diagnostics.push(...freezeErrors);
        if (errs.length === 0 && freezeErrors.length === 0) configs.push({ doc: value as unknown as ConfigDoc, source });
        continue;
      }
      if (typeof kind !== "string" || !(RESOURCE_KINDS as readonly string[]).includes(kind)) {
        diagnostics.push(at(source, kind === undefined ? `missing kind: expected one of Config, ${RESOURCE_KINDS.join(", ")}` : `unknown kind ${JSON.stringify(kind)}: expected one of Config, ${RESOURCE_KINDS.join(", ")}`, "document", kind === undefined ? undefined : "kind"));
        continue;
      }
      const key = keyOf(kind as ResourceKind, value);
      // A document without value references reads the same in every deployment: check it now.
      const schemaFindings = source.hasValueReferences === false ? checkAgainstSchema(kind as ResourceKind, source, key) : undefined;
      rawResources.push({ kind: kind as ResourceKind, key, source, schemaFindings });
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

  const specs: DeploymentSpec[] = configSource?.doc.deployments ?? [{ name: DEFAULT_DEPLOYMENT, regions: [] }];
  const named = configSource?.doc.deployments !== undefined;
  const seenNames = new Set<string>();
  for (const [i, d] of specs.entries()) {
    if (seenNames.has(d.name) && configSource) diagnostics.push(at(configSource.source, `duplicate deployment name '${d.name}'`, "config", undefined, "Config"));
    seenNames.add(d.name);
    const access = [d.roleArn, d.profile, d.endpointUrl].filter((x) => x !== undefined).length;
    if (access > 1 && configSource) {
      const pos = configSource.source.locate(["deployments", i]);
      diagnostics.push({ severity: "error", file: pos.file, line: pos.line, column: pos.column, resource: "Config", field: `deployments[${i}]`, message: "give one of roleArn, profile or endpointUrl, not several", code: "config" });
    }
  }
  const deployments: DeploymentState[] = [];
  // Every deployment is validated on its own, after substitution; findings shared by several are merged.
  const merged = new Map<string, { d: Diagnostic; deployments: string[] }>();
  const addFinding = (d: Diagnostic, deployment: string): void => {
    const key = `${d.file}|${d.line}|${d.column}|${d.field ?? ""}|${d.message}`;
    const entry = merged.get(key);
    if (entry) entry.deployments.push(deployment);
    else merged.set(key, { d, deployments: [deployment] });
  };
  for (const spec of specs) {
    const resources: LoadedResource[] = [];
    for (const { kind, key, source, schemaFindings } of rawResources) {
      const value = source.value as Record<string, unknown>;
      const meta = isRecord(value.metadata) ? value.metadata : {};
      const limitedTo = Array.isArray(meta.deployments) ? (meta.deployments as unknown[]).map(String) : undefined;
      if (limitedTo) {
        limitedTo.forEach((n, i) => {
          if (!specs.some((x) => x.name === n)) {
            const pos = source.locate(["metadata", "deployments", i]);
            addFinding({ severity: "error", file: pos.file, line: pos.line, column: pos.column, resource: key, field: `metadata.deployments[${i}]`, message: named ? `no deployment named '${n}' in patchctl.yaml (deployments: ${specs.map((x) => x.name).join(", ")})` : `metadata.deployments names '${n}', but patchctl.yaml defines no deployments`, code: "deployments" }, spec.name);
          }
        });
        if (!limitedTo.includes(spec.name)) continue;
      }
      const substituted = substituteValues(source, spec.values, named ? spec.name : undefined, key);
      for (const d of substituted.diagnostics) addFinding(d, spec.name);
      const view = substituted.value === source.value ? source : withValue(source, substituted.value);
      const errs = view === source && schemaFindings ? schemaFindings : checkAgainstSchema(kind, view, key);
      for (const d of errs) addFinding(d, spec.name);
      if (errs.length === 0 && substituted.diagnostics.length === 0) resources.push({ doc: substituted.value as ResourceDoc, source: view, key });
    }
    for (const d of checkSemantics(resources, { filterValues: options.filterValues })) addFinding(d, spec.name);
    deployments.push({ spec, resources });
  }
  for (const { d, deployments: ds } of merged.values()) {
    diagnostics.push(named ? { ...d, message: `${d.message} (deployment${ds.length > 1 ? "s" : ""} ${ds.join(", ")})` } : d);
  }
  const errors = diagnostics.filter((d) => d.severity === "error");
  sortDiagnostics(diagnostics);
  if (errors.length > 0 || !configSource) return { diagnostics };
  return { state: { dir, config: configSource.doc, configSource: configSource.source, resources: deployments[0]!.resources, deployments }, diagnostics };
}

/** The desired state of one deployment, shaped like a whole desired state (for planning it). */
export function stateForDeployment(state: DesiredState, deployment: DeploymentState): DesiredState {
  return { ...state, resources: deployment.resources, deployments: [deployment] };
}

export function sortDiagnostics(list: Diagnostic[]): void {
  list.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}
