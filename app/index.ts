/** @module app — hookline assembled (store, sandbox, hook invoker, engine, status, HTTP routes, demo). */
export { startService, DEMO_USERS, type Service, type ServiceOptions } from './service.ts';
export { ServiceError } from './errors.ts';
export { createPublishedScripts, recordInto, type PublishedScripts } from './published-scripts.ts';
export { serviceHosts } from './hosts.ts';
export { createShadowRuns, shadowExecute, SHADOW_NICE } from './shadow-runs.ts';
