import * as ssm from "@aws-sdk/client-ssm";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { SSMClientConfig } from "@aws-sdk/client-ssm";

export interface ConnectionOptions {
  region: string;
  endpointUrl?: string;
  profile?: string;
  /** Static credentials (the local endpoint); otherwise the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** A credential provider (e.g. an assumed role). */
  credentialProvider?: SSMClientConfig["credentials"];
  maxAttempts?: number;
}

export interface CallStats {
  calls: Record<string, number>;
  errors: Record<string, number>;
}

type Paginator = (config: { client: SSMClient; pageSize: number }, input: Record<string, unknown>) => AsyncIterable<Record<string, unknown>>;
type CommandCtor = new (input: Record<string, unknown>) => Parameters<SSMClient["send"]>[0];

/**
 * The one door to SSM: every call goes through `call`, which counts it and
 * lets the SDK retry throttling and 5xx with backoff and jitter
 * (adaptive mode also paces the client when the service throttles).
 */
export class SsmGateway {
  readonly client: SSMClient;
  readonly stats: CallStats = { calls: {}, errors: {} };

  constructor(readonly options: ConnectionOptions) {
    this.client = new SSMClient({
      region: options.region,
      endpoint: options.endpointUrl,
      profile: options.profile,
      credentials: options.credentialProvider ?? options.credentials,
      maxAttempts: options.maxAttempts ?? 10,
      retryMode: "adaptive",
    });
    // Count every command, whether sent directly or by an SDK paginator (once per command, not per retry).
    this.client.middlewareStack.add(
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

  async call<T = Record<string, unknown>>(operation: string, input: Record<string, unknown>): Promise<T> {
    const Ctor = (ssm as unknown as Record<string, CommandCtor | undefined>)[`${operation}Command`];
    if (!Ctor) throw new Error(`unknown SSM operation ${operation}`);
    return (await this.client.send(new Ctor(input))) as T;
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
  }
}
