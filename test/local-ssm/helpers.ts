import { SSMClient } from "@aws-sdk/client-ssm";
import { expect } from "vitest";

/** Static test credentials: AKIA + 12 digits = that account. */
export function credentialsFor(account: string): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: `AKIA${account}TEST`, secretAccessKey: "local-secret" };
}

export function sdkClient(url: string, region = "eu-west-1", account = "111111111111"): SSMClient {
  return new SSMClient({ region, endpoint: url, credentials: credentialsFor(account), maxAttempts: 1 });
}

/**
 * Expects the promise to reject with the AWS error `code` (err.name), optionally
 * as an instance of the SDK's modeled error class, with a message matching `message`.
 */
export async function expectAwsError(p: Promise<unknown>, code: string, opts: { cls?: abstract new (...args: never[]) => Error; message?: RegExp | string } = {}): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err, `expected ${code}`).toBeInstanceOf(Error);
  expect(err!.name, err!.message).toBe(code);
  if (opts.cls) expect(err).toBeInstanceOf(opts.cls);
  if (opts.message !== undefined) expect(err!.message).toMatch(opts.message);
  return err!;
}

/** A raw AWS JSON 1.1 call (no SDK): status and parsed body. */
export async function rawCall(url: string, target: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target, ...headers }, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

/** The local endpoint as a child process (`patchctl local-ssm`), resolved once it listens; killHard sends SIGKILL. */
export { killHard, spawnLocalSsm as spawnEndpoint } from "../helpers/spawn-local.js";

/** A patch rule valid for WINDOWS. */
export const WINDOWS_RULE = { PatchFilterGroup: { PatchFilters: [{ Key: "CLASSIFICATION" as const, Values: ["SecurityUpdates", "CriticalUpdates"] }] }, ApproveAfterDays: 7 };
