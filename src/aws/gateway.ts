import * as iam from "@aws-sdk/client-iam";
import { IAMClient } from "@aws-sdk/client-iam";
import * as ssm from "@aws-sdk/client-ssm";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { SSMClientConfig } from "@aws-sdk/client-ssm";

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
  /** Client-side pacing: at most this many calls a second from this gateway (a token bucket shared by all its calls). */
  maxTps?: number;
}

/**
 * A token bucket that makes callers wait their turn: `rate` calls a second. It starts empty
 * and saves up at most a tenth of a second, so a fresh client never bursts into a server-side
 * bucket that other clients of the same account have already drained.
 */
export class Pacer {
  private tokens = 0;
  private readonly capacity: number;
  private last = Date.now();
  private queue: Promise<void> = Promise.resolve();
  constructor(private readonly rate: number) {
    this.capacity = Math.max(1, rate / 10);
  }
  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const now = Date.now();
        this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
        this.last = now;
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return;
        }
        await new Promise((r) => setTimeout(r, Math.ceil(((1 - this.tokens) / this.rate) * 1000)));
      }
    });
    this.queue = turn;
    return turn;
  }
}

export interface CallStats {
  calls: Record<string, number>;
  errors: Record<string, number>;
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
 * lets the SDK retry throttling and 5xx with backoff and jitter
 * (adaptive mode also paces the client when the service throttles).
 */
export class AwsGateway {
  readonly client: SSMClient;
  readonly stats: CallStats = { calls: {}, errors: {} };

  private iamClient?: IAMClient;

  constructor(readonly options: ConnectionOptions) {
    this.client = new SSMClient({
      region: options.region,
      endpoint: options.endpointUrl,
      profile: options.profile,
      credentials: options.credentialProvider ?? options.credentials,
      maxAttempts: options.maxAttempts ?? 10,
      retryMode: "adaptive",
    });
    this.instrument(this.client);
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
        retryMode: "adaptive",
      });
      this.instrument(this.iamClient);
    }
    return this.iamClient;
  }

  /** Client-side pacing (its own bucket per client: SSM and IAM have separate quotas) and call counting. */
  private instrument(client: SSMClient | IAMClient): void {
    const stack = client.middlewareStack as unknown as MiddlewareStack;
    if (this.options.maxTps && this.options.maxTps > 0) {
      const pacer = new Pacer(this.options.maxTps);
      // Every attempt, retries included, waits for a token: pacing instead of hammering and retrying.
      stack.add((next) => async (args) => {
        await pacer.take();
        return next(args);
      }, { step: "finalizeRequest", name: "patchctlPacer", priority: "low" });
    }
    // Count every command, whether sent directly or by an SDK paginator (once per command, not per retry).
    stack.add(
      (next, context) => async (args) => {
        const op = String(context.commandName ?? "Unknown").replace(/Command$/, "");
        this.stats.calls[op] = (this.stats.calls[op] ?? 0) + 1;
        try {
          return await next(args);
        } catch (err) {
          const key = `${op}:${err instanceof Error ? err.name : "Error"}`;
          this.stats.errors[key] = (this.stats.errors[key] ?? 0) + 1;
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
