/** The status page: a view model and its one self-contained HTML rendering (watch's `/`, `patchctl report --output html`). */
export type * from "./model.js";
export { REGION_STATES } from "./model.js";
export { pushSample, regionState, statusChanges, statusFindings, statusRollouts } from "./view.js";
export type { StateInputs } from "./view.js";
export { renderStatusPage, STATUS_PAGE_CSP } from "./render.js";
