/**
 * Rollout timeline: when a patch released at a given time is approved and
 * installed in every patch group of the desired state, offline.
 */
export type * from "./model.js";
export { computeTimeline, evaluateApproval, stageFromTags, PATCH_GROUP_TAG_KEYS } from "./compute.js";
export { diffTimelines } from "./diff.js";
export { renderTimelineHtml } from "./html.js";
export { renderTimelineJson, renderTimelineMarkdown, renderTimelineText } from "./render.js";
export { formatUtc } from "./format.js";
export { renderTimelineSvg, TIMELINE_SVG_CSS } from "./svg.js";
export { headline as timelineHeadline } from "./render.js";
