/** @module editor: the web service (JSON API, auth, replay) and the page (Monaco, bundled by esbuild: editor/build.ts, editor/web/). */
export { startEditor, type Editor, type EditorOptions, type RouteModule } from './server.ts';
export { createAuth, hashPassword, verifyPassword, SESSION_COOKIE, type Auth, type AdminConfig } from './auth.ts';
export { replay, type ReplayReport, type ReplayResult, type ReplayRun, type ReplayOutcome } from './replay.ts';
export { pageRoutes } from './assets.ts';
export { ensurePage, pageKey, type PageBuild } from './build.ts';
export { clientKey } from './client-key.ts';
export { createFailureLimiter, type FailureLimiter, type FailureLimiterOptions } from './failures.ts';
