/**
 * The editor on a server of its own: `startHttp` (http/) with the editor's route module, GET /api/status
 * (status/) and the other features' route modules. What tests, the replay bench and `hookline` start; the
 * service may compose the same pieces itself.
 */
import { startHttp, type HttpOptions, type HttpServer, type RouteModule } from '../http/index.ts';
import { statusRoutes } from '../status/index.ts';
import { editorRoutes, type EditorRoutesOptions } from './routes.ts';

export interface EditorOptions extends EditorRoutesOptions, Omit<HttpOptions, 'routes'> {
  /** GET /api/status: what the engine reports. */
  status?: () => unknown;
  /**
   * Route modules of other features (recordings, click-to-call, autodistribution, metrics), registered on the
   * same server. A request for which `isPublic(url, method)` is true skips the session, JSON-only and Origin
   * checks: that route authenticates on its own (a signed link, a bearer token, an address allow-list).
   */
  routes?: RouteModule[];
}

export type Editor = HttpServer;

export function startEditor(o: EditorOptions): Promise<Editor> {
  const { status, routes = [], ...rest } = o;
  return startHttp({ ...rest, routes: [editorRoutes(rest), statusRoutes(status), ...routes] });
}
