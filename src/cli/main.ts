import { DiagnosticsError } from "../model/diagnostics.js";
import { packageVersion } from "../package-root.js";
import type { Io } from "./output.js";
import { EXIT, processIo, renderDiagnosticsText, UsageError } from "./output.js";
import { complianceCommand } from "./compliance-command.js";
import { applyCommand, driftCommand, reconcileCommand } from "./reconcile-command.js";
import { iamPolicyCommand } from "./iam-policy-command.js";
import { importCommand } from "./import-command.js";
import { timelineCommand } from "./timeline-command.js";
import { validateCommand } from "./validate-command.js";
import { watchCommand } from "./watch-command.js";

type Command = (argv: string[], io: Io) => Promise<number>;

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  validate: { run: validateCommand, summary: "check a desired-state directory (no AWS access)" },
  reconcile: { run: (a, io) => reconcileCommand(a, io), summary: "plan (--plan), dry-run (--dry-run) or apply the desired state" },
  drift: { run: driftCommand, summary: "report what changed outside patchctl, what is missing, what is unmanaged" },
  watch: { run: watchCommand, summary: "controller: reconcile a git branch on an interval, serve health and metrics" },
  compliance: { run: complianceCommand, summary: "patch compliance per patch group and recent window executions" },
  timeline: { run: timelineCommand, summary: "when a patch released now is approved and installed, per patch group (offline)" },
  "iam-policy": { run: iamPolicyCommand, summary: "print the least-privilege IAM policy (--read-only for plan/drift roles)" },
  import: { run: importCommand, summary: "write existing baselines and windows as desired-state YAML (adopt with reconcile --adopt)" },
  apply: { run: applyCommand, summary: "apply a saved plan (refused when the account changed since)" },
  "local-ssm": {
    run: async (argv) => (await import("../local-ssm/cli.js")).runLocalSsmCommand(argv),
    summary: "serve a local, offline SSM endpoint (AWS JSON 1.1)",
  },
};

export function usage(): string {
  const lines = ["usage: patchctl <command> [options]", "", "commands:"];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(12)} ${c.summary}`);
  lines.push("", "exit codes: 0 ok / in sync, 1 error, 2 changes or drift present");
  return lines.join("\n");
}

export function registerCommand(name: string, run: Command, summary: string): void {
  COMMANDS[name] = { run, summary };
}

export async function runCli(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    io.out(usage());
    return name === undefined ? EXIT.ERROR : EXIT.OK;
  }
  if (name === "--version" || name === "version") {
    io.out(packageVersion());
    return EXIT.OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`patchctl: unknown command '${name}'\n\n${usage()}`);
    return EXIT.ERROR;
  }
  try {
    return await command.run(rest, io);
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
