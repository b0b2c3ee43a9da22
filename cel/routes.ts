/**
 * /api/reprocess on the service's HTTP server, behind its session gate (the admin): POST starts (or resumes) a
 * run over a period, GET gives its progress (calls read, registered, already there, left) and, for a dry run,
 * what would be written; DELETE stops it after the batch in progress (POST the same period again to resume).
 */
import { problem, type RouteModule } from '../http/index.ts';
import { errorCatalogue } from '../contracts/index.ts';
import type { Reprocessor } from './reprocess.ts';
import { parseWhen } from './time.ts';

const body = {
  type: 'object',
  required: ['from', 'to'],
  additionalProperties: false,
  properties: { from: { type: 'string', minLength: 1 }, to: { type: 'string', minLength: 1 }, dryRun: { type: 'boolean' }, restart: { type: 'boolean' } },
} as const;

/** `reprocess` null: the configuration has no cel section (every call answers CEL_NOT_CONFIGURED). `zone`: of times written without an offset. */
export function reprocessRoutes(reprocess: Reprocessor | null, zone: string): RouteModule {
  const notConfigured = (reply: Parameters<typeof problem>[0]) => problem(reply, 409, 'CEL_NOT_CONFIGURED', errorCatalogue.CEL_NOT_CONFIGURED.message(), errorCatalogue.CEL_NOT_CONFIGURED.hint());
  return {
    name: 'reprocess',
    register(app) {
      app.post('/api/reprocess', { schema: { body } }, async (req, reply) => {
        if (!reprocess) return notConfigured(reply);
        const b = req.body as { from: string; to: string; dryRun?: boolean; restart?: boolean };
        const from = parseWhen(b.from, zone);
        const to = parseWhen(b.to, zone);
        const bad = [Number.isNaN(from) ? `from "${b.from}" is not a time` : '', Number.isNaN(to) ? `to "${b.to}" is not a time` : ''].filter(Boolean).join('; ');
        if (bad) return problem(reply, 400, 'CEL_BAD_PERIOD', `the period cannot be used: ${bad}`, errorCatalogue.CEL_BAD_PERIOD.hint());
        const r = reprocess.start({ from, to, ...(b.dryRun ? { dryRun: true } : {}), ...(b.restart ? { restart: true } : {}) });
        if (!r.ok) return problem(reply, r.error.code === 'CEL_REPROCESS_BUSY' ? 409 : 400, r.error.code, r.error.message, r.error.hint);
        return reply.code(202).send(r.value);
      });
      app.get('/api/reprocess', async (_req, reply) => {
        if (!reprocess) return notConfigured(reply);
        return { run: reprocess.state() };
      });
      app.delete('/api/reprocess', async (_req, reply) => {
        if (!reprocess) return notConfigured(reply);
        return { run: await reprocess.stop() };
      });
    },
  };
}
