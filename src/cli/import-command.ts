import path from "node:path";
import { parseArgs } from "node:util";
import { loadDesiredState } from "../desired/load.js";
import type { GeneratedName } from "../import/build.js";
import { buildImport } from "../import/build.js";
import { writeGeneratedNames } from "../import/name-in-ssm.js";
import type { Selector } from "../import/read.js";
import { parseSelector, readForImport, SelectionError } from "../import/read.js";
import type { AsFoundExemption } from "../import/exempt.js";
import { AS_FOUND, exemptAsFound } from "../import/exempt.js";
import { isEmptyDir, SCHEMA_DIR, writeImport, writeSchemas } from "../import/write.js";
import { DiagnosticsError } from "../model/diagnostics.js";
import { evaluateSpecPolicies, hasDenials, loadPolicies, renderPolicyText } from "../policy/index.js";
import { CONNECTION_FLAGS, CONNECTION_HELP, connect } from "./connection.js";
import type { Io } from "./output.js";
import { EXIT, parseOutputFormat, renderDiagnosticsText, UsageError } from "./output.js";

export const IMPORT_FLAGS = {
  ...CONNECTION_FLAGS,
  out: { type: "string" },
  select: { type: "string", multiple: true },
  force: { type: "boolean" },
  "name-unnamed": { type: "boolean" },
} as const;

export const DEFAULT_IMPORT_OWNER = "imported";
const OWNER_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

export const IMPORT_USAGE = `usage: patchctl import --out DIR [--owner NAME] [--select KIND/NAME-OR-ID ...] [--name-unnamed] [--force]
                      [--region R] [--endpoint-url URL | --local] [--profile P] [--max-tps N]

Writes the account's custom patch baselines (with their patch groups and OS defaults),
maintenance windows (with their targets and tasks), the IAM roles those tasks run as
(kind ServiceRole; tasks then name them) and the State Manager associations that run a
patching document (kind PatchAssociation; Quick Setup's are left out) as desired-state YAML in DIR, ready for
\`patchctl reconcile DIR --plan --adopt\`. Reads only, except with --name-unnamed.
What the built-in policies deny is exempted as found (patchctl/exempt: "<policy-id>: imported as
found: …") and listed as follow-ups. The files' schema modelines point at a copy of the JSON
Schemas in DIR/.schemas/, so DIR is self-contained. Ends with the command to run next.

  --out DIR                 the directory to write (required; empty or new unless --force)
  --select PatchBaseline/<name|pb-id>, MaintenanceWindow/<name|mw-id>, ServiceRole/<role name>,
           PatchAssociation/<name|association id>
                            only these (repeatable; a selected window brings the roles of its tasks)
  --owner NAME              the Config owner (default '${DEFAULT_IMPORT_OWNER}'); resources of other patchctl owners
                            are left out
  --name-unnamed            write the generated names of unnamed window targets/tasks into SSM (Name only),
                            so adoption keeps them in place instead of re-registering them
  --force                   write into a non-empty DIR (files of the same name are overwritten)
  -o, --output FORMAT       text (the only format)
  --region R                the region (default: AWS_REGION, AWS_DEFAULT_REGION)
${CONNECTION_HELP}

exit codes: 0 imported, 1 error (including imported files that do not validate)`;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function describeGenerated(g: GeneratedName): string {
  const kind = g.kind === "WindowTarget" ? "target" : "task";
  const was = g.was.reason === "unnamed" ? "no Name" : g.was.reason === "duplicate" ? `duplicate Name '${g.was.name}'` : `invalid Name '${g.was.name}'`;
  return `  window '${g.windowName}' ${kind} ${g.id} (${was}) → ${g.name}`;
}

function describeExemption(out: string, e: AsFoundExemption): string {
  const subjects = [...new Set(e.findings.map((f) => (f.subject === e.resource ? f.field : [f.subject, f.field].filter(Boolean).join(" "))).filter((x): x is string => !!x))];
  const messages = [...new Set(e.findings.map((f) => f.message))];
  return `${path.join(out, e.file)}: ${e.resource} [${e.policyId}]${subjects.length ? ` ${subjects.join(", ")}` : ""}: ${messages.join(" / ")}`;
}

/** The connection flags another command needs to reach the same endpoint (the region only when patchctl.yaml does not set it). */
function connectionArgs(values: { "endpoint-url"?: string; local?: boolean; profile?: string }, region: string | undefined): string[] {
  return [
    ...(values["endpoint-url"] ? ["--endpoint-url", values["endpoint-url"]] : []),
    ...(values.local ? ["--local"] : []),
    ...(values.profile ? ["--profile", values.profile] : []),
    ...(region ? ["--region", region] : []),
  ];
}

/** A command line a POSIX shell runs as these words. */
function commandLine(args: readonly string[]): string {
  return ["patchctl", ...args].map((a) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}

/**
 * `patchctl import --out DIR`: reads existing baselines and windows and writes desired-state
 * YAML that validates, named after the SSM names, with server defaults left out, so that
 * `reconcile --plan --adopt` only adds the ownership tags.
 */
export async function importCommand(argv: string[], io: Io): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.out(IMPORT_USAGE);
    return EXIT.OK;
  }
  const { values } = parseArgs({ args: argv, options: IMPORT_FLAGS, allowPositionals: false, strict: true });
  parseOutputFormat(values.output, ["text"]);
  if (!values.out) throw new UsageError(`--out DIR is required\n\n${IMPORT_USAGE}`);
  const out = values.out;
  const owner = values.owner ?? DEFAULT_IMPORT_OWNER;
  if (!OWNER_PATTERN.test(owner)) throw new UsageError(`--owner '${owner}': 1-128 letters, digits, spaces and _.:/=+-@`);
  let selectors: Selector[];
  try {
    selectors = (values.select ?? []).map(parseSelector);
  } catch (err) {
    if (err instanceof SelectionError) throw new UsageError(err.message);
    throw err;
  }
  if (!values.force && !(await isEmptyDir(out))) throw new UsageError(`${out} is not empty; choose an empty or new directory, or pass --force to write into it`);

  const conn = await connect(values);
  try {
    const read = await readForImport(conn.gateway, { owner, selectors }).catch((err: unknown) => {
      throw err instanceof SelectionError ? new UsageError(err.message) : err;
    });
    const nameUnnamed = values["name-unnamed"] === true;
    const built = buildImport(read, { owner, region: REGION_PATTERN.test(conn.region) ? conn.region : undefined, namesWrittenToSsm: nameUnnamed });
    for (const w of built.warnings) io.err(`warning: ${w}`);

    if (nameUnnamed && built.generated.length > 0) {
      await writeGeneratedNames(conn.gateway, built.generated, (g) => io.err(`named in SSM: window '${g.windowName}' ${g.kind === "WindowTarget" ? "target" : "task"} ${g.id} → ${g.name}`));
    }
    const written = await writeImport(out, built.files);
    // What the modelines point at, inside DIR, so that it works wherever it is committed.
    await writeSchemas(out);

    const baselines = built.files.filter((f) => f.doc.kind === "PatchBaseline").length;
    const windows = built.files.filter((f) => f.doc.kind === "MaintenanceWindow").length;
    const roles = built.files.filter((f) => f.doc.kind === "ServiceRole").length;
    const associations = built.files.filter((f) => f.doc.kind === "PatchAssociation").length;
    const withRoles = roles > 0 ? `, with ${plural(roles, "service role")} their tasks run as,` : "";
    const withAssociations = associations > 0 ? ` and ${plural(associations, "patch association")}` : "";
    const lines = [`imported ${plural(baselines, "patch baseline")} and ${plural(windows, "maintenance window")}${withRoles}${withAssociations} into ${out} (owner '${owner}'):`];
    for (const f of written) lines.push(`  ${f}`);
    lines.push(`  ${path.join(out, SCHEMA_DIR)}/ (the JSON Schemas the files' yaml-language-server modelines point at, for editors)`);
    if (built.generated.length > 0) {
      const targets = built.generated.filter((g) => g.kind === "WindowTarget").length;
      lines.push(`generated names for ${plural(targets, "target")} and ${plural(built.generated.length - targets, "task")} without a usable Name in SSM (noted in the YAML):`);
      lines.push(...built.generated.map(describeGenerated));
      lines.push(
        nameUnnamed
          ? "  the names were written into SSM (Name only), so adoption keeps these targets and tasks in place"
          : "  not written to SSM: `reconcile --adopt` names each one in place (the Name only; ids and histories stay),\n  pairing it with the target or task that equals it in everything but the name",
      );
    }
    if (built.files.some((f) => f.header.some((l) => l.startsWith("Sensitive:")))) {
      lines.push("the files hold values SSM treats as sensitive, as read (you asked to import them); they are written with mode 0600: review before committing");
    }

    let check = await loadDesiredState(out);
    const invalid = (): boolean => {
      if (!check.diagnostics.some((d) => d.severity === "error")) return false;
      io.out(lines.join("\n"));
      io.err(`the imported files do not validate:\n${renderDiagnosticsText(check.diagnostics)}`);
      return true;
    };
    if (invalid()) return EXIT.ERROR;

    // Adopt first, tighten later: what the built-in policies deny is exempted as found, and listed.
    const { policies, errors: policyErrors } = await loadPolicies();
    if (policyErrors.length) throw new DiagnosticsError(policyErrors);
    const exempted = exemptAsFound(check.state!, built.files, out, policies);
    if (exempted.length > 0) {
      const changed = new Set(exempted.map((e) => e.file));
      await writeImport(out, built.files.filter((f) => changed.has(f.path)));
      check = await loadDesiredState(out);
      if (invalid()) return EXIT.ERROR;
      lines.push(`follow-ups: ${plural(exempted.length, "policy exemption")} written (patchctl/exempt, "${AS_FOUND}: …"), so the import validates and adopts as it is;`);
      lines.push("  fix each, then remove its entry (every validate and plan lists them until then):");
      lines.push(...exempted.map((e) => `  ${describeExemption(out, e)}`));
    }
    const policy = evaluateSpecPolicies(check.state!, policies);
    if (hasDenials(policy)) {
      io.out(lines.join("\n"));
      io.err(`the imported files are denied by policies that no annotation on them can exempt:\n${renderPolicyText(policy)}`);
      return EXIT.ERROR;
    }
    const connection = connectionArgs(values, check.state!.config.region === undefined ? conn.region : undefined);
    const naming = built.generated.length > 0 && !nameUnnamed ? ", and the generated names written in place" : "";
    lines.push(`next: ${commandLine(["reconcile", out, "--plan", "--adopt", ...connection])}   (shows only the patchctl:owner/patchctl:name tags being added${naming})`);
    io.out(lines.join("\n"));
    return EXIT.OK;
  } finally {
    await conn.close();
  }
}
