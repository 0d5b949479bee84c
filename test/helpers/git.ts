import { execFileSync } from "node:child_process";

/** git in `repo` as the tests run it (a fixed author, no signing): its output, trimmed. */
export function gitIn(repo: string): (...args: string[]) => string {
  return (...args) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", ...args], { cwd: repo, encoding: "utf8" }).trim();
}
