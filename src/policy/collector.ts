import type { LoadedResource } from "../desired/load.js";
import type { Diagnostic, FieldPath, SourcePos } from "../model/diagnostics.js";
import { formatFieldPath } from "../model/diagnostics.js";
import { EXEMPT_ANNOTATION } from "./types.js";
import type { Policy, PolicyExemption, PolicyFinding, PolicyResult } from "./types.js";

const EXEMPT_FIELD = `metadata.annotations.${EXEMPT_ANNOTATION}`;

/** The exemptions one resource document carries, by policy id. */
export interface ResourceExemptions {
  reasons: Map<string, string>;
  pos: SourcePos;
}

/**
 * Where one annotation's entries part: at a newline, or at a ';' that a policy id follows
 * (with ':', or alone). A ';' inside a reason ("keep their output; set …") stays in it.
 */
const SEPARATING_SEMICOLON = /;(?=\s*(?:$|;|[a-z0-9][a-z0-9-]*\s*(?::|;|$)))/;
const ENTRY_SEPARATOR = new RegExp(`\\r?\\n|${SEPARATING_SEMICOLON.source}`, "m");

/** The annotation text for these exemptions, one per line; parseExemptions reads back exactly these ids and reasons (whitespace runs as one space). */
export function exemptionText(entries: readonly { policyId: string; reason: string }[]): string {
  return entries
    .map((e) => {
      const reason = e.reason.replace(/\s+/g, " ").trim();
      // A ';' that would start another entry becomes ','.
      return `${e.policyId}: ${reason.replace(new RegExp(SEPARATING_SEMICOLON.source, "g"), ",")}`;
    })
    .join("\n");
}

/**
 * Parses `metadata.annotations["patchctl/exempt"]`: "<policy-id>: <reason>", several
 * on separate lines or separated by ';' (a ';' followed by anything but a policy id and
 * ':' belongs to the reason). An entry without a reason (or without an id) is an error.
 */
export function parseExemptions(r: LoadedResource, errors: Diagnostic[]): ResourceExemptions {
  const pos = r.source.locate(["metadata", "annotations", EXEMPT_ANNOTATION]);
  const reasons = new Map<string, string>();
  const text: unknown = r.doc.metadata.annotations?.[EXEMPT_ANNOTATION];
  if (text === undefined) return { reasons, pos };
  const error = (message: string) => errors.push({ severity: "error", file: pos.file, line: pos.line, column: pos.column, resource: r.key, field: EXEMPT_FIELD, message, code: "policy-exemption" });
  if (typeof text !== "string") {
    error(`${EXEMPT_ANNOTATION} must be a string: "<policy-id>: <reason>", several separated by ';' or newlines`);
    return { reasons, pos };
  }
  const parts = text.split(ENTRY_SEPARATOR).map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length === 0) error(`${EXEMPT_ANNOTATION} is empty: write "<policy-id>: <reason>"`);
  for (const part of parts) {
    const m = /^([a-z0-9][a-z0-9-]*)\s*(?::\s*([\s\S]*))?$/.exec(part);
    if (!m) {
      error(`exemption '${part}' is not "<policy-id>: <reason>" (policy ids are lowercase letters, digits and '-')`);
      continue;
    }
    const id = m[1]!;
    const reason = (m[2] ?? "").trim();
    if (reason.length === 0) {
      error(`exemption from '${id}' has no reason: write "${id}: <why this resource is exempt>" so reviewers can judge it`);
      continue;
    }
    reasons.set(id, reasons.has(id) ? `${reasons.get(id)!}; ${reason}` : reason);
  }
  return { reasons, pos };
}

/** Where a finding is and whose exemptions apply to it. */
export interface FindingPlace {
  /** The desired document holding the subject (its exemptions apply); absent for a plan-wide finding or a deleted resource. */
  resource?: LoadedResource;
  pos: SourcePos;
  /** The finding's resource, e.g. "WindowTask/tuesdays/install". */
  label: string;
  field?: FieldPath;
}

/** Locates `path` in a resource's document; a missing field is shown at its parent's key. */
export function locateField(r: LoadedResource, path: FieldPath, missing = false): SourcePos {
  if (!missing) return r.source.locate(path);
  const parent = path.slice(0, -1);
  return typeof parent[parent.length - 1] === "string" ? r.source.locateKey(parent) : r.source.locate(parent);
}

/**
 * Collects findings over one or several deployments: the same finding in several
 * deployments is reported once (naming them when not all have it), exemptions are
 * applied and recorded, malformed exemptions become errors.
 */
export class Collector {
  private readonly findings = new Map<string, { finding: PolicyFinding; deployments: string[] }>();
  private readonly exemptions = new Map<string, PolicyExemption>();
  private readonly errors = new Map<string, Diagnostic>();
  private readonly parsed = new WeakMap<LoadedResource, ResourceExemptions>();
  /** "<resource key>|<file>|<policy id>" of exemptions that silenced something. */
  readonly used = new Set<string>();

  /** `deployments`: all deployment names evaluated; `named`: whether the desired state names its deployments. */
  constructor(
    private readonly deployments: readonly string[],
    private readonly named: boolean,
  ) {}

  exemptionsOf(r: LoadedResource): ResourceExemptions {
    let e = this.parsed.get(r);
    if (!e) {
      const errs: Diagnostic[] = [];
      e = parseExemptions(r, errs);
      for (const d of errs) this.addError(d);
      this.parsed.set(r, e);
    }
    return e;
  }

  addError(d: Diagnostic): void {
    this.errors.set(`${d.file}|${d.line}|${d.column}|${d.message}`, d);
  }

  /** Lists a waiver that is not an annotation (e.g. --allow-destructive). */
  addWaiver(p: Policy, place: FindingPlace, reason: string): void {
    const key = `${p.id}|${place.label}|${reason}`;
    if (!this.exemptions.has(key)) this.exemptions.set(key, { policyId: p.id, reason, resource: place.label, file: place.pos.file, line: place.pos.line });
  }

  report(p: Policy, place: FindingPlace, message: string, deployment: string): void {
    if (place.resource) {
      const ex = this.exemptionsOf(place.resource);
      const reason = ex.reasons.get(p.id);
      if (reason !== undefined) {
        this.used.add(`${place.resource.key}|${place.resource.source.file}|${p.id}`);
        const key = `${p.id}|${place.resource.key}|${ex.pos.file}`;
        if (!this.exemptions.has(key)) this.exemptions.set(key, { policyId: p.id, reason, resource: place.resource.key, file: ex.pos.file, line: ex.pos.line });
        return;
      }
    }
    const field = place.field ? formatFieldPath(place.field) : undefined;
    const finding: PolicyFinding = { policyId: p.id, severity: p.severity, message, file: place.pos.file, line: place.pos.line, column: place.pos.column, resource: place.label, ...(field ? { field } : {}) };
    const key = `${p.id}|${finding.file}|${finding.line}|${finding.column}|${finding.resource}|${field ?? ""}|${message}`;
    const entry = this.findings.get(key);
    if (entry) {
      if (!entry.deployments.includes(deployment)) entry.deployments.push(deployment);
    } else {
      this.findings.set(key, { finding, deployments: [deployment] });
    }
  }

  result(): PolicyResult {
    const findings = [...this.findings.values()].map(({ finding, deployments }) => {
      if (!this.named || deployments.length >= this.deployments.length) return finding;
      return { ...finding, message: `${finding.message} (deployment${deployments.length > 1 ? "s" : ""} ${deployments.join(", ")})` };
    });
    const exemptions = [...this.exemptions.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.policyId.localeCompare(b.policyId));
    const errors = [...this.errors.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
    return { findings: sortFindings(findings), exemptions, errors };
  }
}

export function sortFindings(list: PolicyFinding[]): PolicyFinding[] {
  const rank = (f: PolicyFinding) => (f.severity === "deny" ? 0 : 1);
  return [...list].sort((a, b) => rank(a) - rank(b) || a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.policyId.localeCompare(b.policyId));
}
