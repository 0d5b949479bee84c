import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A git checkout the controller reads desired state from. git is invoked without a
 * shell; every user-supplied value is checked and passed after `--` where git allows,
 * so URLs, branches and paths cannot smuggle in options or commands.
 */
export class GitSource {
  constructor(
    readonly repo: string,
    readonly branch: string,
    readonly workdir: string,
  ) {
    GitSource.check("--repo", repo);
    GitSource.check("--branch", branch);
    if (!/^[A-Za-z0-9._/-]+$/.test(branch) || branch.includes("..") || branch.endsWith("/") || branch.endsWith(".lock")) {
      throw new Error(`--branch '${branch}' is not a valid branch name`);
    }
  }

  static check(flag: string, value: string): void {
    if (value.length === 0) throw new Error(`${flag} must not be empty`);
    if (value.startsWith("-")) throw new Error(`${flag} must not start with '-' (got '${value}')`);
    if (/[\0\n\r]/.test(value)) throw new Error(`${flag} must not contain control characters`);
  }

  private async git(args: string[], cwd?: string): Promise<string> {
    const { stdout } = await run("git", ["-c", "protocol.ext.allow=never", "-c", "core.hooksPath=/dev/null", ...args], {
      cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 120_000,
    });
    return stdout.trim();
  }

  /** Clones on first use, then fetches the branch; returns the newest commit. */
  async fetch(): Promise<string> {
    if (!existsSync(path.join(this.workdir, ".git"))) {
      await this.git(["clone", "--quiet", "--no-checkout", "--", this.repo, this.workdir]);
    }
    await this.git(["fetch", "--quiet", "--force", "origin", `+refs/heads/${this.branch}:refs/remotes/origin/${this.branch}`], this.workdir);
    return this.git(["rev-parse", "--verify", `refs/remotes/origin/${this.branch}^{commit}`], this.workdir);
  }

  /** Checks out a commit (detached) so its files can be read. */
  async checkout(commit: string): Promise<void> {
    if (!/^[0-9a-f]{40}$/.test(commit)) throw new Error(`not a commit id: ${commit}`);
    await this.git(["checkout", "--quiet", "--force", "--detach", commit], this.workdir);
  }

  /** The desired-state directory inside the checkout; refuses paths that leave it. */
  resolve(subdir: string): string {
    GitSource.check("--path", subdir);
    const full = path.resolve(this.workdir, subdir);
    if (full !== this.workdir && !full.startsWith(path.resolve(this.workdir) + path.sep)) throw new Error(`--path '${subdir}' leaves the repository`);
    return full;
  }
}
