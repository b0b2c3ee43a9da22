/**
 * @module editor: a route module of the service's HTTP server (http/): the JSON API (hooks, drafts, publish,
 * versions, rollback, captures, failures), replay (HTTP and WebSocket) and the page (Monaco, bundled by esbuild:
 * editor/build.ts, editor/web/). `startEditor` starts it on a server of its own with the status route.
 */
export { editorRoutes, type EditorRoutesOptions } from './routes.ts';
export { startEditor, type Editor, type EditorOptions } from './start.ts';
export { replay, type ReplayReport, type ReplayResult, type ReplayRun, type ReplayOutcome } from './replay.ts';
export { runTestCases, type TestCaseReport, type TestCaseResult, type TestRunOutcome } from './test-cases.ts';
export { pageRoutes } from './assets.ts';
export { ensurePage, pageKey, type PageBuild } from './build.ts';
