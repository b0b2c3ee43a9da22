/**
 * @module demo — what `npm start` runs when no PBX is configured: sim/pbx looping the shipped cacofonisk
 * captures (demo/captures, MIT) as fresh calls at the current time. See docs/design/demo.md.
 */
export {
  DEFAULT_PACE_MS, DEMO_PBX_SETTINGS, DemoStartError, PAUSE_IN_PACES, startDemoPbx,
  type DemoCallStarted, type DemoCredentials, type DemoPbx, type StartDemoPbxOptions,
} from './demo-pbx.ts';
export { DEMO_CAPTURES_DIR, loadDemoCaptures, type DemoCapture, type DemoProblem, type DemoResult } from './captures.ts';
export { freshCall, stampBlock, type FreshCall } from './fresh-call.ts';
