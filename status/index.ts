/**
 * @module status: what the engine is doing, for people and for Prometheus. The engine feeds events
 * (`createStatus()`); two route modules of the HTTP server (http/) answer: GET /api/status
 * (`statusRoutes(read)`, `read` built on `status.snapshot()`) and GET /metrics (`metricsRoutes(status, { token })`).
 */
export {
  createStatus, kommoHealthOf, DURATION_WINDOW, HOUR_MS, MINUTE_MS,
  type Status, type StatusOptions, type StatusSnapshot, type HookStatus, type HookQuarantine, type KommoHealth, type CallFinished, type HookInvoked,
} from './status.ts';
export { HOOK_DURATION_BUCKETS, type StatusMetrics } from './metrics.ts';
export { metricsRoutes, isLoopback, METRICS_PATH, type MetricsRouteOptions } from './routes.ts';
export { statusRoutes } from './api-route.ts';
