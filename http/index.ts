/**
 * @module http: the service's one HTTP server. Fastify set up once (error answers, JSON bodies checked strictly,
 * trusted proxies), the Host check (DNS rebinding), the session and CSRF gate in front of /api, login and logout with the admin account
 * (auth.ts), and the pieces route modules share: `RouteModule`, `problem`, `clientKey`, `createFailureLimiter`.
 * It imports no feature: the editor, status and the engine's features are route modules handed to `startHttp`.
 */
export { startHttp, type HttpOptions, type HttpServer } from './server.ts';
export type { RouteModule } from './route-module.ts';
export { isForeignOrigin } from './gate.ts';
export { createHostCheck, hostNameOf } from './hosts.ts';
export { problem } from './problem.ts';
export { ADMIN_FILE, createAuth, generatePassword, hashPassword, verifyPassword, writeAdminFile, SESSION_COOKIE, type Auth, type AdminConfig } from './auth.ts';
export { clientKey } from './client-key.ts';
export { createFailureLimiter, type FailureLimiter, type FailureLimiterOptions } from './failures.ts';
