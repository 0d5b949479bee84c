import type { ParseArgsConfig } from "node:util";
import { DiagnosticsError } from "../model/diagnostics.js";
import { packageVersion } from "../package-root.js";
import type { Io } from "./output.js";
import { EXIT, processIo, renderDiagnosticsText, UsageError } from "./output.js";
import { COMPLIANCE_FLAGS, COMPLIANCE_HELP, complianceCommand } from "./compliance-command.js";
import { APPLY_FLAGS, APPLY_HELP, applyCommand, DRIFT_HELP, driftCommand, RECONCILE_FLAGS, RECONCILE_HELP, reconcileCommand } from "./reconcile-command.js";
import { IAM_POLICY_FLAGS, IAM_POLICY_HELP, iamPolicyCommand } from "./iam-policy-command.js";
import { IMPORT_FLAGS, IMPORT_USAGE, importCommand } from "./import-command.js";
import { ROLLOUT_FLAGS, ROLLOUT_HELP, rolloutCommand } from "./rollout-command.js";
import { REPORT_FLAGS, REPORT_HELP, reportCommand } from "./report-command.js";
import { TIMELINE_FLAGS, TIMELINE_HELP, timelineCommand } from "./timeline-command.js";
import { VALIDATE_FLAGS, VALIDATE_HELP, validateCommand } from "./validate-command.js";
import { WATCH_FLAGS, WATCH_HELP, watchCommand } from "./watch-command.js";

type Command = (argv: string[], io: Io) => Promise<number>;

/** The options a command's parseArgs accepts. */
export type CommandFlags = NonNullable<ParseArgsConfig["options"]>;

export interface CommandSpec {
  run: Command;
  summary: string;
  /** Printed for `patchctl <command> --help`; without it the command handles --help itself. */
  help?: string;
  /** The options its parser accepts: each must be described in `help` (test/cli/help.test.ts). */
  flags?: CommandFlags;
}

const COMMANDS: Record<string, CommandSpec> = {
  validate: { run: validateCommand, summary: "check a desired-state directory (no AWS access)", help: VALIDATE_HELP, flags: VALIDATE_FLAGS },
  reconcile: { run: (a, io) => reconcileCommand(a, io), summary: "plan (--plan), dry-run (--dry-run) or apply the desired state", help: RECONCILE_HELP, flags: RECONCILE_FLAGS },
  drift: { run: driftCommand, summary: "report what changed outside patchctl, what is missing, what is unmanaged", help: DRIFT_HELP, flags: RECONCILE_FLAGS },
  watch: { run: watchCommand, summary: "controller: reconcile a git branch on an interval, serve health and metrics", help: WATCH_HELP, flags: WATCH_FLAGS },
  compliance: { run: complianceCommand, summary: "patch compliance per patch group and recent window executions", help: COMPLIANCE_HELP, flags: COMPLIANCE_FLAGS },
  rollout: { run: rolloutCommand, summary: "a Rollout's stages: cut-offs, compliance measured, the next promotion (rollout status NAME)", help: ROLLOUT_HELP, flags: ROLLOUT_FLAGS },
  report: { run: reportCommand, summary: "write the status page (--output html) for a scheduled job to upload", help: REPORT_HELP, flags: REPORT_FLAGS },
  timeline: { run: timelineCommand, summary: "when a patch released now is approved and installed, per patch group (offline)", help: TIMELINE_HELP, flags: TIMELINE_FLAGS },
  "iam-policy": { run: iamPolicyCommand, summary: "print the least-privilege IAM policy (--read-only for plan/drift roles)", help: IAM_POLICY_HELP, flags: IAM_POLICY_FLAGS },
  import: { run: importCommand, summary: "write existing baselines and windows as desired-state YAML (adopt with reconcile --adopt)", help: IMPORT_USAGE, flags: IMPORT_FLAGS },
  apply: { run: applyCommand, summary: "apply a saved plan (refused when the account changed since)", help: APPLY_HELP, flags: APPLY_FLAGS },
  "local-ssm": {
    // Loaded only when used; prints its own --help.
    run: async (argv) => (await import("../local-ssm/cli.js")).runLocalSsmCommand(argv),
    summary: "serve a local, offline SSM endpoint (AWS JSON 1.1)",
  },
};

function lookup(name: string): CommandSpec | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

export function usage(): string {
  const lines = ["usage: patchctl <command> [options]", "", "commands:"];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(12)} ${c.summary}`);
  lines.push("", "run 'patchctl <command> --help' for a command's options");
  lines.push("", "exit codes: 0 ok / in sync, 1 error, 2 changes or drift present");
  return lines.join("\n");
}

/** The registered commands, in the order `patchctl help` lists them. */
export function commands(): { name: string; spec: Readonly<CommandSpec> }[] {
  return Object.entries(COMMANDS).map(([name, spec]) => ({ name, spec }));
}

/** Adds or replaces a command; replacing one keeps its help and flags unless new ones are given. */
export function registerCommand(name: string, run: Command, summary: string, help?: string, flags?: CommandFlags): void {
  const previous = lookup(name);
  COMMANDS[name] = { run, summary, help: help ?? previous?.help, flags: flags ?? previous?.flags };
}

/** --help or -h among a command's arguments, before any `--` (after it, they are positionals). */
function asksForHelp(argv: string[]): boolean {
  for (const arg of argv) {
    if (arg === "--") return false;
    if (arg === "--help" || arg === "-h") return true;
  }
  return false;
}

/** Prints a command's help; a command without a help text here prints its own (`<command> --help`). */
async function printHelp(command: CommandSpec, io: Io): Promise<number> {
  if (command.help === undefined) return command.run(["--help"], io);
  io.out(command.help);
  return EXIT.OK;
}

export async function runCli(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  const topic = name === "help" ? rest[0] : undefined;
  if (topic !== undefined && topic !== "--help" && topic !== "-h") {
    // patchctl help <command>: the same as patchctl <command> --help.
    const command = lookup(topic);
    if (!command) {
      io.err(`patchctl help: unknown command '${topic}'\n\n${usage()}`);
      return EXIT.ERROR;
    }
    return runOrError(topic, () => printHelp(command, io), io);
  }
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    io.out(usage());
    return name === undefined ? EXIT.ERROR : EXIT.OK;
  }
  if (name === "--version" || name === "version") {
    io.out(packageVersion());
    return EXIT.OK;
  }
  const command = lookup(name);
  if (!command) {
    io.err(`patchctl: unknown command '${name}'\n\n${usage()}`);
    return EXIT.ERROR;
  }
  // A command without a help text here (local-ssm) reads its --help itself.
  const help = command.help !== undefined && asksForHelp(rest);
  return runOrError(name, () => (help ? printHelp(command, io) : command.run(rest, io)), io);
}

/** Runs a command body; errors become a message on stderr and exit 1. */
async function runOrError(name: string, body: () => Promise<number>, io: Io): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof DiagnosticsError) {
      io.err(renderDiagnosticsText(err.diagnostics));
    } else if (err instanceof UsageError || (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"))) {
      io.err(`patchctl ${name}: ${err.message}`);
    } else {
      io.err(`patchctl ${name}: ${err instanceof Error ? err.message : String(err)}`);
      if (process.env.PATCHCTL_DEBUG) io.err(err instanceof Error && err.stack ? err.stack : "");
    }
    return EXIT.ERROR;
  }
}
