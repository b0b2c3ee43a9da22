/**
 * The route modules of hookline's features, served beside the editor on one HTTP server: metrics, recordings,
 * autodistribution and click-to-call. Each authenticates on its own (a token, a signed link, an allow-list).
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/index.ts';
import type { RouteModule } from '../http/index.ts';
import { createAutodistribution } from '../engine/autodistribution/index.ts';
import { createClickToCall } from '../engine/click-to-call/index.ts';
import type { HookInvoker } from '../engine/hooks/index.ts';
import type { Engine } from '../engine/index.ts';
import { createPhoneNormalizer } from '../engine/phone/index.ts';
import type { Recordings } from '../engine/recordings/index.ts';
import type { Logger } from '../log/index.ts';
import { metricsRoutes, type Status } from '../status/index.ts';

export interface FeatureRoutes {
  routes: RouteModule[];
  /** The click-to-call token made for a demo run without `clickToCall.token`, else null. */
  demoClickToCallToken: string | null;
  close(): Promise<void>;
}

export function featureRoutes(o: { config: Config; engine: Engine; hooks: HookInvoker; recordings: Recordings; status: Status; demo: boolean; log: Logger }): FeatureRoutes {
  const { config, engine, log } = o;
  const users = config.users;
  const userExtensions = config.clickToCall.users;
  const routes: RouteModule[] = [metricsRoutes(o.status, { token: config.metrics.token }), o.recordings.route];
  routes.push(createAutodistribution({
    kommo: engine.kommo, invoker: o.hooks, users, userExtensions, allowFrom: config.autodistribution.allowFrom, deadlineMs: config.autodistribution.deadlineMs,
    normalizePhone: createPhoneNormalizer(config.phone), log,
  }).route);
  const c2c = config.clickToCall;
  // In the demo, click-to-call can be tried at once: the demo PBX answers an Originate with a call to the number.
  const demoClickToCallToken = !c2c.token && o.demo ? randomBytes(18).toString('base64url') : null;
  const token = c2c.token ?? demoClickToCallToken ?? undefined;
  const clickToCall = createClickToCall({
    ami: engine.ami, invoker: o.hooks, users, userExtensions, context: c2c.context, log,
    ...(token ? { token } : {}), ...(c2c.channel ? { channel: c2c.channel } : {}), ...(c2c.callerId ? { callerId: c2c.callerId } : {}),
    ...(c2c.ringTimeoutSec ? { ringTimeoutSec: c2c.ringTimeoutSec } : {}), ...(c2c.dialable ? { dialable: c2c.dialable } : {}),
  });
  routes.push(clickToCall.route);
  return { routes, demoClickToCallToken, close: async () => clickToCall.close() };
}
