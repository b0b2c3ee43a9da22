/** @module app — hookline assembled (store, sandbox, engine, status, editor, demo). */
export { startService, ServiceError, DEMO_USERS, type Service, type ServiceOptions } from './service.ts';
