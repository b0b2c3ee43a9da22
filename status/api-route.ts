/**
 * GET /api/status: what the engine reports, for the editor page's Status tab and for scripts. Not public: the
 * session gate (http/) stands in front of it. `read` is the service's own composition (app/: the snapshot, the
 * registrar's figures, the demo's); with none (an editor started without an engine) it answers
 * `{"engine": "not running"}`.
 */
import type { RouteModule } from '../http/index.ts';

export function statusRoutes(read?: () => unknown): RouteModule {
  return {
    name: 'status',
    register(app) {
      app.get('/api/status', async () => read?.() ?? { engine: 'not running' });
    },
  };
}
