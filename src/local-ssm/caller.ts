import type { IncomingHttpHeaders } from "node:http";

export interface Caller {
  account: string;
  region: string;
}

const SCOPE = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/[^/,\s]+\/aws4_request/;
const KEY_WITH_ACCOUNT = /^[A-Z]{4}(\d{12})/;

/**
 * Who is calling, from the SigV4 Authorization header (signatures are not
 * verified): the region from the credential scope, the account from the access
 * key. A key made of four letters and twelve digits (AKIA111111111111…) belongs to
 * the account with those digits; any other key to the default account.
 */
export function callerOf(headers: IncomingHttpHeaders, defaultAccount: string, defaultRegion = "us-east-1"): Caller {
  const m = SCOPE.exec(String(headers.authorization ?? ""));
  const key = m?.[1] ?? "";
  return { account: KEY_WITH_ACCOUNT.exec(key)?.[1] ?? defaultAccount, region: m?.[2] ?? defaultRegion };
}
