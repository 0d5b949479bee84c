/** The loaded desired state's shape: what the loader returns and what checks and the engine read. */
import type { ConfigDoc, DeploymentSpec, ResourceDoc } from "../model/desired.js";
import type { SourceDocument } from "./yaml-source.js";

/** A validated resource document and where it came from. */
export interface LoadedResource<D extends ResourceDoc = ResourceDoc> {
  doc: D;
  source: SourceDocument;
  /** "PatchBaseline/production-baseline" */
  key: string;
}

/** The desired state for one deployment: its resources with its values substituted. */
export interface DeploymentState {
  spec: DeploymentSpec;
  resources: LoadedResource[];
}

export interface DesiredState {
  dir: string;
  config: ConfigDoc;
  configSource: SourceDocument;
  /** Without deployments: all resources. With deployments: those of the first deployment (see `deployments`). */
  resources: LoadedResource[];
  /**
   * One entry per deployment in patchctl.yaml, each validated on its own after
   * substitution; without deployments, one implicit entry named "default" with no regions.
   */
  deployments: DeploymentState[];
}
