/** @module shadow: shadow runs (issue 17, item 7): a draft beside the published version on live calls, compared, never used. */
export { createShadows, type LiveInvocation, type ShadowExecute, type ShadowInfo, type ShadowResult, type Shadows, type ShadowsOptions } from './shadows.ts';
