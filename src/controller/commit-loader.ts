import type { LoadResult } from "../desired/load.js";
import { loadDesiredState } from "../desired/load.js";
import type { GitSource } from "./git-source.js";

/** The newest commit of the watched branch and its desired state, loaded once. */
export interface LoadedCommit {
  commit: string;
  loaded: LoadResult;
  /** The desired-state directory inside the checkout (file paths in findings start here). */
  dir: string;
}

/**
 * One checkout and one load per commit for every controller of a `watch` process.
 *
 * With deployments in patchctl.yaml a process runs one controller per deployment-region; each used
 * to fetch, check out and load the whole tree in its own checkout, so 200 deployment-regions cost
 * 200 loads of every commit (and 200 copies of it in memory), held lease or not (bench scenario 8).
 * The controllers now ask this loader: calls while a fetch runs, or within `reuseMs` of the last
 * one, share its answer; a commit is checked out and loaded once, and each controller takes its
 * deployment out of the one loaded state. Calls are serialised, so the single checkout never
 * changes under a load.
 */
export class CommitLoader {
  private last?: LoadedCommit;
  private lastFetchAt = -Infinity;
  private inflight?: Promise<LoadedCommit>;

  constructor(
    readonly source: GitSource,
    private readonly subdir: string,
    private readonly reuseMs = 0,
    private readonly now: () => number = Date.now,
  ) {}

  /** The desired-state directory inside the checkout. */
  get dir(): string {
    return this.source.resolve(this.subdir);
  }

  /** The newest commit and its loaded desired state (filter values are left to the online pre-flight). */
  current(): Promise<LoadedCommit> {
    if (this.inflight) return this.inflight;
    if (this.last && this.now() - this.lastFetchAt < this.reuseMs) return Promise.resolve(this.last);
    this.inflight = this.refresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async refresh(): Promise<LoadedCommit> {
    const commit = await this.source.fetch();
    this.lastFetchAt = this.now();
    if (this.last?.commit === commit) return this.last;
    await this.source.checkout(commit);
    const dir = this.dir;
    const loaded = await loadDesiredState(dir, { filterValues: "account" });
    this.last = { commit, loaded, dir };
    return this.last;
  }
}
