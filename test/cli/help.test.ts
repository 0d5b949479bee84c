import { afterEach, describe, expect, it, vi } from "vitest";
import { commands, runCli, usage } from "../../src/cli/main.js";

/**
 * Runs the CLI in-process. What it prints through its io and what a command writes to
 * process.stdout itself (local-ssm prints its own help there) are collected together.
 */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    const code = await runCli(args, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
    return { code, out, err };
  } finally {
    stdout.mockRestore();
  }
}

/** The command names the general usage lists under "commands:". */
function listedCommands(): string[] {
  const lines = usage().split("\n");
  const from = lines.indexOf("commands:") + 1;
  const names: string[] = [];
  for (const line of lines.slice(from)) {
    const m = /^ {2}(\S+) /.exec(line);
    if (!m) break;
    names.push(m[1]!);
  }
  return names;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `--name` as a whole flag: not the start of a longer one (--timeline in --timeline-base). */
function mentionsFlag(help: string, flag: string): boolean {
  return new RegExp(`(^|[^\\w-])${escape(flag)}(?![\\w-])`, "m").test(help);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("patchctl <command> --help", () => {
  const names = listedCommands();

  it("the general usage lists every command and says how to get a command's options", async () => {
    expect(names).toEqual(commands().map((c) => c.name));
    expect(names).toEqual(expect.arrayContaining(["validate", "reconcile", "drift", "watch", "compliance", "timeline", "iam-policy", "import", "apply", "local-ssm"]));
    for (const args of [["help"], ["--help"], ["-h"]]) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.out).toBe(`${usage()}\n`);
      expect(r.out).toContain("run 'patchctl <command> --help' for a command's options");
    }
  });

  for (const name of listedCommands()) {
    it(`${name}: --help and -h print its usage and exit 0`, async () => {
      for (const flag of ["--help", "-h"]) {
        const r = await cli([name, flag]);
        expect(r.code, `${name} ${flag}: ${r.err}`).toBe(0);
        expect(r.err).toBe("");
        expect(r.out.startsWith(`usage: patchctl ${name}`), r.out).toBe(true);
      }
    });
  }

  it("every command but local-ssm (which prints its own) has a help text and declares its flags", () => {
    for (const { name, spec } of commands()) {
      if (name === "local-ssm") continue;
      expect(spec.help, name).toMatch(new RegExp(`^usage: patchctl ${escape(name)}( |$)`, "m"));
      expect(spec.flags, name).toBeDefined();
    }
  });

  for (const { name, spec } of commands()) {
    if (!spec.flags) continue;
    it(`${name}: the help describes every flag its parser accepts`, () => {
      const help = spec.help ?? "";
      const missing: string[] = [];
      for (const [long, option] of Object.entries(spec.flags!)) {
        if (!mentionsFlag(help, `--${long}`)) missing.push(`--${long}`);
        if (option.short !== undefined && !help.includes(`-${option.short}, --${long}`)) missing.push(`-${option.short}, --${long}`);
        if (typeof option.default === "string" && !help.includes(`default ${option.default}`)) missing.push(`--${long}: default ${option.default}`);
      }
      expect(missing, `${name} --help does not describe`).toEqual([]);
    });
  }

  it("-h or --help after other arguments is still help; the command does not run", async () => {
    const r = await cli(["reconcile", "/nonexistent/dir", "--plan", "-h"]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out.startsWith("usage: patchctl reconcile")).toBe(true);
  });

  it("help <command> prints the same as <command> --help", async () => {
    const viaHelp = await cli(["help", "reconcile"]);
    const viaFlag = await cli(["reconcile", "--help"]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.out).toBe(viaFlag.out);
    expect(viaHelp.out).not.toBe("");
    expect((await cli(["help", "local-ssm"])).out).toBe((await cli(["local-ssm", "--help"])).out);
  });

  it("help of an unknown command is an error naming it", async () => {
    const r = await cli(["help", "nosuch"]);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toContain("unknown command 'nosuch'");
  });

  it("--help after the -- terminator is a positional, not a request for help", async () => {
    const r = await cli(["validate", "--", "--help"]);
    expect(r.out).not.toContain("usage: patchctl validate");
    expect(r.err).not.toContain("usage: patchctl validate");
    expect(r.code).toBe(1); // validate reads a directory named "--help", which does not exist
  });
});
