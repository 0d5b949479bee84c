import { mkdtempSync } from "node:fs";
import { lifecycle } from "../controller/lifecycle-codes.js";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import cron from "node-cron";
import { pino } from "pino";
import { Controller } from "../controller/controller.js";
import { GitSource } from "../controller/git-source.js";
import { CommitLoader } from "../controller/commit-loader.js";
import { startHttpServer } from "../controller/http-server.js";
import { StatusPageSource } from "../controller/status-page.js";
import { ControllerMetrics } from "../controller/metrics.js";
import { ReplicaShare } from "../controller/replicas.js";
import { newHolderId } from "../reconciler/lease.js";
import type { Notifier } from "../controller/notify.js";
import { notifyAll, SnsNotifier, WebhookNotifier } from "../controller/notify.js";
import type { DriftReportPart } from "../controller/drift-report.js";
import { driftReportParts, driftTotals, renderDriftReport } from "../controller/drift-report.js";
import { loadDesiredState } from "../desired/load.js";
import { writeFile } from "node:fs/promises";
import type { Connection, DeploymentAccess } from "./connection.js";
import { CONNECTION_FLAGS, CONNECTION_HELP, connect, connectDeployment } from "./connection.js";
import { deploymentTargets } from "./deployments.js";
import type { Io } from "./output.js";
import { EXIT, parseOutputFormat, UsageError } from "./output.js";

/** "60s", "5m", "1h", "500ms", or plain seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`not a duration: '${text}' (e.g. 60s, 5m, 1h)`);
  const n = Number(m[1]);
  const unit = m[2] ?? "s";
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!;
}

export const WATCH_FLAGS = {
  ...CONNECTION_FLAGS,
  repo: { type: "string" },
  branch: { type: "string", default: "main" },
  path: { type: "string", default: "." },
  interval: { type: "string", default: "60s" },
  "no-apply": { type: "boolean" },
  listen: { type: "string" },
  workdir: { type: "string" },
  "drift-schedule": { type: "string" },
  "drift-report-file": { type: "string" },
  "notify-webhook": { type: "string" },
  "notify-sns-topic": { type: "string" },
  "max-delete-percent": { type: "string", default: "30" },
  "allow-mass-delete": { type: "boolean" },
  once: { type: "boolean" },
  deployment: { type: "string", multiple: true },
  policies: { type: "string" },
  "resync-every": { type: "string", default: "10" },
  "lease-ttl": { type: "string" },
} as const;

export const WATCH_HELP = `usage: patchctl watch --repo URL|PATH [--branch main] [--path .] [--interval 60s] [--no-apply]
                     [--listen [HOST]:PORT] [options]

The controller: every interval it fetches the branch and reconciles the account with the newest valid
commit (a commit failing validation or a policy is refused and reported; the last good one stays in
force), correcting drift, or only reporting it with --no-apply. One writer per owner, account and
region (a lease in Parameter Store). Runs until SIGTERM or SIGINT.

  --repo URL|PATH           the git repository to follow (required)
  --branch BRANCH           the branch to follow (default main)
  --path DIR                the desired-state directory inside the repository (default .)
  --interval DURATION       time between cycles, at least 1s: 500ms, 60s, 5m, 1h or plain seconds
                            (default 60s)
  --no-apply                report drift, change nothing
  --resync-every N          read the account in full every N cycles (default 10); the cycles between
                            make only the list calls and keep the last full read when they show no
                            change (any change they show, a new commit or an apply: a full read)
  --lease-ttl DURATION      how long a write lease and a replica's heartbeat last without renewal, at
                            least twice the interval (default: twice the interval, at least 60s)
  --once                    run one cycle (per deployment-region) and exit
  --listen [HOST]:PORT      serve / (the status page, HTML), /healthz, /readyz, /metrics (Prometheus) and
                            /status (JSON), e.g. :8080
  --workdir DIR             where the checkouts go (default: a new temporary directory)
  --drift-schedule CRON     also make a drift report on this cron schedule (e.g. "0 6 * * *") over every
                            deployment-region, and send it; replicas sharing them each report those
                            whose lease they hold
  --drift-report-file FILE  write the scheduled drift report to FILE
  -o, --output FORMAT       the scheduled drift report's format: text (default), json or markdown
  --notify-webhook URL      post notifications (applied changes, drift, refused commits, failures) to URL
  --notify-sns-topic ARN    publish those notifications to this SNS topic
  --max-delete-percent N    refuse a plan deleting more than N% of the owned resources, or all of them
                            (default 30)
  --allow-mass-delete       apply such a plan anyway
  --policies DIR            your own policies, checked besides the built-in ones
  --deployment NAME         only this deployment of patchctl.yaml (repeatable)
  --owner NAME              the owner to reconcile as (default: owner: in patchctl.yaml of the commit)
  --region R                the region (default: AWS_REGION, AWS_DEFAULT_REGION); with deployments,
                            only region R
${CONNECTION_HELP}

During a change freeze (patchctl.yaml freezes:, a CLOSED change calendar) cycles plan and report but
apply nothing (/status frozen, the patchctl_frozen gauge, one notification as it begins and ends).
Changes to a window that is executing wait (/status deferred) until the first cycle after it ends.

With deployments, one controller runs per deployment-region; --profile and --endpoint-url apply only
where a deployment sets none. Replicas share them: each announces itself in Parameter Store
(/patchctl/replicas/<id>, in the first deployment-region's account and region) and holds at most
ceil(deployment-regions / live replicas) leases; a dead replica's share is taken within --lease-ttl.

exit codes: 0 after SIGTERM or SIGINT (the in-flight SSM call finishes, the lease is released);
with --once, 0 when every cycle succeeded, 1 otherwise; 1 on invalid flags`;

/** patchctl watch --repo URL|PATH --branch BRANCH --path DIR --interval 60s [--no-apply] [--listen :8080] … */
export async function watchCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: WATCH_FLAGS });
  if (!values.repo) throw new UsageError("watch needs --repo URL|PATH");
  const reportFormat = parseOutputFormat(values.output);
  const intervalMs = parseDuration(values.interval);
  if (intervalMs < 1000) throw new UsageError("--interval must be at least 1s");
  const resyncEvery = Number(values["resync-every"]);
  if (!/^\d+$/.test(values["resync-every"]) || resyncEvery < 1) throw new UsageError(`--resync-every must be a whole number of cycles, at least 1: '${values["resync-every"]}'`);
  if (values["drift-schedule"] && !cron.validate(values["drift-schedule"])) throw new UsageError(`--drift-schedule is not a valid cron expression: '${values["drift-schedule"]}'`);
  const leaseTtlMs = values["lease-ttl"] === undefined ? Math.max(2 * intervalMs, 60_000) : parseDuration(values["lease-ttl"]);
  if (values["lease-ttl"] !== undefined && leaseTtlMs < 2 * intervalMs) throw new UsageError(`--lease-ttl must be at least twice the interval (${values.interval}): '${values["lease-ttl"]}'`);
  const base = values.workdir ?? mkdtempSync(path.join(tmpdir(), "patchctl-watch-"));
  const logger = pino({ base: { service: "patchctl", owner: values.owner ?? null } });


  // With deployments in patchctl.yaml, one controller per deployment-region, each with its own
  // client, lease and backoff, so one failing does not stop the others; they share one checkout.
  const bootstrap = new GitSource(values.repo, values.branch, path.join(base, "repo"));
  bootstrap.resolve(values.path);
  let deployments: { name: string; region: string; access: DeploymentAccess }[] = [];
  try {
    await bootstrap.checkout(await bootstrap.fetch());
    const first = await loadDesiredState(bootstrap.resolve(values.path));
    if (first.state?.config.deployments) {
      deployments = deploymentTargets(first.state, values.deployment, values.region).map((t) => ({ name: t.deployment.spec.name, region: t.region, access: t.deployment.spec }));
    }
  } catch (err) {
    logger.warn({ ...lifecycle("bootstrap-failed"), error: String(err) }, "could not read deployments at start; running for the flags' account and region");
  }
  const conns: Connection[] = [];
  const notifiers: Notifier[] = [];
  const metrics = new ControllerMetrics();
  // Several replicas share the deployment-regions (replicas.ts); one cycle (--once) or --no-apply takes no lease.
  let share: ReplicaShare | undefined;
  if (deployments.length > 0 && !values["no-apply"] && !values.once) {
    const home = await connectDeployment(values, deployments[0]!.access, deployments[0]!.region);
    conns.push(home);
    share = new ReplicaShare(home.gateway, newHolderId(), deployments.map((d) => `${d.name}/${d.region}`), leaseTtlMs);
  }
  // One checkout and one load per commit for all the controllers (commit-loader.ts): calls within
  // half an interval of the last fetch share it.
  const commits = new CommitLoader(bootstrap, values.path, Math.floor(intervalMs / 2));
  const make = (source: GitSource, conn: Connection, deployment?: string): Controller =>
    new Controller({ source, commits, path: values.path, owner: values.owner, region: conn.region, gateway: conn.gateway, apply: !values["no-apply"], intervalMs, maxDeletePercent: Number(values["max-delete-percent"]), allowMassDelete: values["allow-mass-delete"] ?? false, logger, metrics, notifiers, policiesDir: values.policies, deployment, resyncEvery, leaseTtlMs, share });
  const controllers: Controller[] = [];
  if (deployments.length === 0) {
    const conn = await connect(values);
    conns.push(conn);
    controllers.push(make(bootstrap, conn));
  } else {
    for (const d of deployments) {
      const conn = await connectDeployment(values, d.access, d.region);
      conns.push(conn);
      controllers.push(make(bootstrap, conn, d.name));
    }
  }
  const conn = share ? conns[1]! : conns[0]!;
  if (values["notify-webhook"]) notifiers.push(new WebhookNotifier(values["notify-webhook"]));
  if (values["notify-sns-topic"]) notifiers.push(new SnsNotifier(values["notify-sns-topic"], conn.region));
  const replica = share ? () => share.status(controllers.filter((c) => c.status.holdsLease).map((c) => c.shareKey)) : undefined;
  const http = values.listen ? await startHttpServer(values.listen, controllers, metrics, new StatusPageSource(controllers, { refreshSeconds: Math.max(5, Math.round(intervalMs / 1000)), complianceTtlMs: Math.max(intervalMs, 60_000), ...(replica ? { replica } : {}) }), replica) : undefined;
  if (http) logger.info({ ...lifecycle("listening"), port: http.port }, `serving /healthz /readyz /metrics /status on port ${http.port}`);

  // The scheduled drift report covers every deployment-region this process reconciles, each with the
  // last good commit of its own checkout, through its own connection. Replicas sharing the
  // deployment-regions each report only those whose lease they hold: across replicas, each once.
  const driftTask = values["drift-schedule"]
    ? cron.schedule(values["drift-schedule"], async () => {
        try {
          const parts: DriftReportPart[] = await driftReportParts(controllers, { shared: share !== undefined, region: conn.region });
          if (parts.length === 0) {
            logger.info({ ...lifecycle("drift-report-skipped"), replica: share?.id ?? null }, "scheduled drift report: this replica holds no deployment-region's lease; the others report them");
            return;
          }
          if (parts.every((p) => !p.plan)) return;
          const report = renderDriftReport(parts, reportFormat);
          if (values["drift-report-file"]) await writeFile(values["drift-report-file"], report);
          const { drifted, unmanaged, failed } = driftTotals(parts);
          const owner = parts.find((p) => p.plan)?.plan?.owner ?? values.owner ?? "unknown";
          logger.info({ ...lifecycle("drift-report"), drifted, unmanaged, deploymentRegions: parts.length, failed, ...(share ? { replica: share.id } : {}) }, "scheduled drift report");
          for (const p of parts.filter((x) => x.error)) logger.error({ ...lifecycle("drift-report-failed"), deployment: p.deployment ?? null, region: p.region, error: p.error }, "scheduled drift report failed for a deployment-region");
          const where = parts.length === 1 ? "" : ` over ${parts.length} deployment-regions`;
          await notifyAll(notifiers, { kind: "drift", owner, text: `patchctl drift report for ${owner}${where}: ${drifted} drifted, ${unmanaged} unmanaged${failed ? `, ${failed} failed` : ""}`, details: { report } }, (err) => logger.warn({ ...lifecycle("notify-failed"), err: String(err) }));
        } catch (err) {
          logger.error({ ...lifecycle("drift-report-failed"), error: String(err) }, "scheduled drift report failed");
        }
      })
    : undefined;

  // The heartbeat: before the first cycle, then every interval; a failed one keeps the last count.
  const beat = async (): Promise<void> => {
    try {
      const live = await share?.heartbeat();
      logger.debug({ ...lifecycle("replica-heartbeat"), live, share: share?.share });
    } catch (err) {
      logger.warn({ ...lifecycle("replica-heartbeat-failed"), error: String(err) }, "could not write or count the replica heartbeats");
    }
  };
  if (share) await beat();
  const beating = share ? setInterval(() => void beat(), intervalMs) : undefined;

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ ...lifecycle("shutdown"), signal }, "stopping after the in-flight SSM call");
    for (const c of controllers) void c.stop();
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
  try {
    if (values.once) {
      const results = await Promise.all(controllers.map((c) => c.cycle()));
      return results.every((r) => r.ok) ? EXIT.OK : EXIT.ERROR;
    }
    await Promise.all(controllers.map((c) => c.run()));
    return EXIT.OK;
  } finally {
    driftTask?.stop();
    if (beating) clearInterval(beating);
    await Promise.all(controllers.map((c) => c.releaseLease().catch((err) => logger.warn({ ...lifecycle("lease-release-failed"), error: String(err) }))));
    await share?.leave().catch((err) => logger.warn({ ...lifecycle("replica-leave-failed"), error: String(err) }));
    http?.server.close();
    http?.server.closeAllConnections();
    await Promise.all(conns.map((c) => c.close()));
    logger.info({ ...lifecycle("stopped") }, "stopped");
    io.err("");
  }
}
