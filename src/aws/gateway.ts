import * as iam from "@aws-sdk/client-iam";
import { IAMClient } from "@aws-sdk/client-iam";
import * as ssm from "@aws-sdk/client-ssm";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { SSMClientConfig } from "@aws-sdk/client-ssm";
import type { Clock, RateSnapshot } from "./rate-learner.js";
import { Pacer, RateLearner, systemClock } from "./rate-learner.js";

/** Which AWS service a call goes to: SSM (default) or IAM (ServiceRole resources). */
export type AwsService = "ssm" | "iam";

export interface ConnectionOptions {
  region: string;
  endpointUrl?: string;
  profile?: string;
  /** Static credentials (the local endpoint); otherwise the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** A credential provider (e.g. an assumed role). */
  credentialProvider?: SSMClientConfig["credentials"];
  maxAttempts?: number;
  /**
   * At most this many calls a second from each of this gateway's clients (--max-tps). Without it, each
   * client learns the rate the service allows (RateLearner); with it, the learner starts here and only goes
   * below it when the service throttles.
   */
  maxTps?: number;
  /** The clock pacing runs on (tests). */
  clock?: Clock;
}

export { Pacer } from "./rate-learner.js";
export type { RateSnapshot } from "./rate-learner.js";

export interface CallStats {
  /** Commands by operation (once per command, however many attempts it took). */
  calls: Record<string, number>;
  /** Commands that failed, by `operation:ErrorName` (after the SDK's retries). */
  errors: Record<string, number>;
  /** Attempts the service throttled, by operation, whether the SDK's retry then succeeded or not. */
  throttled: Record<string, number>;
}

/**
 * Error codes AWS answers when it throttles a call's rate, besides HTTP 429: the SDK's list without the ones
 * that are not about the rate (IAM's LimitExceeded is a quota on roles or policies; a transaction or request
 * in progress is a conflict), which must not slow the learner down.
 */
const THROTTLING_CODES = new Set([
  "BandwidthLimitExceeded", "EC2ThrottledException", "ProvisionedThroughputExceededException", "RequestLimitExceeded", "RequestThrottled",
  "RequestThrottledException", "SlowDown", "ThrottledException", "Throttling", "ThrottlingException", "TooManyRequestsException",
]);

/** What an SDK error says about the service's bucket: it throttled, it answered otherwise (a token was spent), or no answer came. */
export function answerOf(err: unknown): "throttled" | "answered" | "none" {
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
  const status = typeof e?.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined;
  if (status === 429 || (typeof e?.name === "string" && THROTTLING_CODES.has(e.name) && status !== undefined)) return "throttled";
  return status !== undefined ? "answered" : "none";
}

type Paginator = (config: { client: SSMClient; pageSize: number }, input: Record<string, unknown>) => AsyncIterable<Record<string, unknown>>;
type CommandCtor = new (input: Record<string, unknown>) => Parameters<SSMClient["send"]>[0];
type IamCommandCtor = new (input: Record<string, unknown>) => Parameters<IAMClient["send"]>[0];
type IamPaginator = (config: { client: IAMClient; pageSize: number }, input: Record<string, unknown>) => AsyncIterable<Record<string, unknown>>;
type Handler = (args: unknown) => Promise<unknown>;
/** The part of the SDK's middleware stack used here, the same for every client. */
interface MiddlewareStack {
  add(middleware: (next: Handler, context: { commandName?: string }) => Handler, options: { step: string; name: string; priority?: string }): void;
}

/**
 * The one door to AWS (Systems Manager, and IAM for service roles): every call goes through `call`, which counts it and
 * lets the SDK retry throttling and 5xx with backoff and jitter. Every attempt, retries included, is paced by its
 * client's RateLearner, which lives as long as the gateway: a controller's later cycles start at the rate learnt.
 */
export class AwsGateway {
  readonly client: SSMClient;
  readonly stats: CallStats = { calls: {}, errors: {}, throttled: {} };

  private iamClient?: IAMClient;
  private readonly learners: Partial<Record<AwsService, RateLearner>> = {};

  constructor(readonly options: ConnectionOptions) {
    this.client = new SSMClient({
      region: options.region,
      endpoint: options.endpointUrl,
      profile: options.profile,
      credentials: options.credentialProvider ?? options.credentials,
      maxAttempts: options.maxAttempts ?? 10,
      // Standard, not adaptive: the learner paces; the SDK's adaptive limiter would pace a second time, and
      // it drops to its minimum when the first throttle comes before it has measured a rate.
      retryMode: "standard",
    });
    this.instrument(this.client, "ssm");
  }

  /** IAM, created on first use (only desired states with ServiceRoles, and the role read, need it). */
  get iam(): IAMClient {
    if (!this.iamClient) {
      this.iamClient = new IAMClient({
        region: this.options.region,
        endpoint: this.options.endpointUrl,
        profile: this.options.profile,
        credentials: this.options.credentialProvider ?? this.options.credentials,
        maxAttempts: this.options.maxAttempts ?? 10,
        retryMode: "standard",
      });
      this.instrument(this.iamClient, "iam");
    }
    return this.iamClient;
  }

  /** What each client's learner knows now (IAM only once it was used). */
  rates(): Partial<Record<AwsService, RateSnapshot>> {
    const out: Partial<Record<AwsService, RateSnapshot>> = {};
    for (const [service, learner] of Object.entries(this.learners) as [AwsService, RateLearner][]) out[service] = learner.snapshot();
    return out;
  }

  /** Pacing by a learner of its own per client (SSM and IAM have separate quotas), and call counting. */
  private instrument(client: SSMClient | IAMClient, service: AwsService): void {
    const stack = client.middlewareStack as unknown as MiddlewareStack;
    const clock = this.options.clock ?? systemClock;
    const learner = new RateLearner({ ceiling: this.options.maxTps && this.options.maxTps > 0 ? this.options.maxTps : undefined });
    this.learners[service] = learner;
    const pacer = new Pacer(() => learner.rate, clock);
    // Every attempt, retries included, waits for a token (after the retry middleware): pacing instead of
    // hammering and retrying. Its answer teaches the learner; a throttled attempt is counted here, since the
    // SDK retries it and the command may still succeed.
    stack.add(
      (next, context) => async (args) => {
        const paced = await pacer.take();
        const sentAt = clock.now();
        try {
          const result = await next(args);
          learner.accepted(clock.now(), paced);
          return result;
        } catch (err) {
          const answer = answerOf(err);
          if (answer === "throttled") {
            learner.throttled(clock.now(), sentAt);
            const op = operationOf(context);
            this.stats.throttled[op] = (this.stats.throttled[op] ?? 0) + 1;
          } else if (answer === "answered") {
            learner.accepted(clock.now(), paced);
          }
          throw err;
        }
      },
      { step: "finalizeRequest", name: "patchctlPacer", priority: "low" },
    );
    // Count every command, whether sent directly or by an SDK paginator (once per command, not per retry).
    stack.add(
      (next, context) => async (args) => {
        const op = operationOf(context);
        this.stats.calls[op] = (this.stats.calls[op] ?? 0) + 1;
        try {
          return await next(args);
        } catch (err) {
          const key = `${op}:${err instanceof Error ? err.name : "Error"}`;
          this.stats.errors[key] = (this.stats.errors[key] ?? 0) + 1;
          // An error answer with no error code (not the service's: a proxy's, or the HTTP server's own) says only
          // "UnknownError": name the operation and the HTTP status, so logs and /status tell what failed.
          if (err instanceof Error && err.message === "UnknownError") {
            const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
            err.message = `UnknownError: ${op} answered HTTP ${status ?? "?"} without an error code`;
          }
          throw err;
        }
      },
      { step: "initialize", name: "patchctlCallCounter" },
    );
  }

  async call<T = Record<string, unknown>>(operation: string, input: Record<string, unknown>, service: AwsService = "ssm"): Promise<T> {
    if (service === "iam") {
      const Ctor = (iam as unknown as Record<string, IamCommandCtor | undefined>)[`${operation}Command`];
      if (!Ctor) throw new Error(`unknown IAM operation ${operation}`);
      return (await this.iam.send(new Ctor(input))) as T;
    }
    const Ctor = (ssm as unknown as Record<string, CommandCtor | undefined>)[`${operation}Command`];
    if (!Ctor) throw new Error(`unknown SSM operation ${operation}`);
    return (await this.client.send(new Ctor(input))) as T;
  }

  async callIam<T = Record<string, unknown>>(operation: string, input: Record<string, unknown>): Promise<T> {
    return this.call<T>(operation, input, "iam");
  }

  /** Every item of a paginated IAM list (Marker / IsTruncated), through the SDK's paginator. */
  async paginateIam<T>(operation: string, input: Record<string, unknown>, resultKey: string, pageSize: number): Promise<T[]> {
    const paginator = (iam as unknown as Record<string, IamPaginator | undefined>)[`paginate${operation}`];
    if (!paginator) throw new Error(`no SDK paginator for IAM ${operation}`);
    const items: T[] = [];
    for await (const page of paginator({ client: this.iam, pageSize }, input)) {
      items.push(...((page[resultKey] as T[] | undefined) ?? []));
    }
    return items;
  }

  /**
   * Every item of a paginated read, through the SDK's paginator for the operation
   * (it follows NextToken until it is empty or absent).
   */
  async paginate<T>(operation: string, input: Record<string, unknown>, resultKey: string, pageSize: number): Promise<T[]> {
    const paginator = (ssm as unknown as Record<string, Paginator | undefined>)[`paginate${operation}`];
    if (!paginator) throw new Error(`no SDK paginator for ${operation}`);
    const items: T[] = [];
    for await (const page of paginator({ client: this.client, pageSize }, input)) {
      items.push(...((page[resultKey] as T[] | undefined) ?? []));
    }
    return items;
  }

  destroy(): void {
    this.client.destroy();
    this.iamClient?.destroy();
  }
}

function operationOf(context: { commandName?: string }): string {
  return String(context.commandName ?? "Unknown").replace(/Command$/, "");
}
