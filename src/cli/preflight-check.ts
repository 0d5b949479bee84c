import type { AwsGateway } from "../aws/gateway.js";
import type { LoadedResource } from "../desired/state.js";
import { DiagnosticsError } from "../model/diagnostics.js";
import { deniedWarning, PatchPropertyCache, preflightBaselines } from "../pipeline/preflight.js";
import type { Io } from "./output.js";
import { renderDiagnosticsText } from "./output.js";

/**
 * The online pre-flight as the CLI runs it (reconcile, drift, validate --online): a value the
 * account does not list is a file:line error (DiagnosticsError: exit 1, nothing planned or
 * applied); a denied DescribePatchProperties is a warning on stderr, the shipped catalog deciding.
 */
export async function checkAgainstAccount(resources: readonly LoadedResource[], gateway: AwsGateway, io: Io): Promise<void> {
  const cache = new PatchPropertyCache(gateway);
  const { diagnostics } = await preflightBaselines(resources, cache);
  const warning = deniedWarning(cache);
  if (warning) io.err(warning);
  if (diagnostics.some((d) => d.severity === "error")) throw new DiagnosticsError(diagnostics);
  if (diagnostics.length > 0) io.err(renderDiagnosticsText(diagnostics));
}
