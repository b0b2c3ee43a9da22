/**
 * The editor page as a route module: GET / (the page), GET /assets/<build key>/<file> (the bundles, CSS and the
 * codicon font, cached for good since the key changes with every input), and GET /api/hooks/:hook/typings (the
 * contracts' .d.ts of one hook, for Monaco). The page is built by editor/build.ts when the server starts, in the
 * background; a request that comes before the build is done waits for it.
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { extname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { editorTypings, isHookName } from '../contracts/index.ts';
import type { RouteModule } from '../http/index.ts';
import type { Logger } from '../log/index.ts';
import { ensurePage, type PageBuild } from './build.ts';

const gzip = promisify(gzipCb);

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.html': 'text/html; charset=utf-8',
};

/**
 * Monaco sets inline styles (style-src 'unsafe-inline'); everything else comes from this origin only. No
 * framing (the page holds a session), no sniffing.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export function pageRoutes(o: { log?: Logger } = {}): RouteModule {
  let building: Promise<PageBuild> | null = null;
  let ready: PageBuild | null = null;
  let failed: string | null = null;
  const page = () => {
    building ??= ensurePage({ log: (m) => o.log?.info(m) }).then(
      (b) => {
        if (b.built) o.log?.info({ ms: Math.round(b.ms), dir: b.dir }, 'the editor page is built');
        ready = b;
        failed = null;
        return b;
      },
      (e: unknown) => {
        building = null; // the next request tries again
        failed = String(e);
        throw e;
      },
    );
    return building;
  };
  const files = new Map<string, Buffer>();
  // Monaco and the TypeScript worker are ~11 MB as built, ~3 MB gzipped: worth it for an operator on a LAN or VPN.
  const gzipped = new Map<string, Promise<Buffer>>();

  return {
    name: 'page',
    register(app: FastifyInstance) {
      page().catch((e: unknown) => o.log?.error({ err: String(e) }, 'building the editor page failed; the next request for the page tries again'));

      app.get('/', async (_req, reply) => {
        reply.header('content-security-policy', CSP).header('x-content-type-options', 'nosniff');
        if (!ready) {
          // First start of this version: answer at once with a page that reloads itself until the build is done.
          const p = page();
          p.catch(() => {});
          const done = await Promise.race([p.then(() => true, () => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1_000))]);
          if (!done || !ready) return reply.type(TYPES['.html'] as string).header('cache-control', 'no-store').send(waiting(failed));
        }
        const b = ready as PageBuild;
        reply.header('cache-control', 'no-cache');
        return reply.type(TYPES['.html'] as string).send(await readFile(join(b.dir, 'index.html')));
      });

      app.get('/favicon.ico', async (_req, reply) => reply.code(204).header('cache-control', 'public, max-age=86400').send());

      app.get('/assets/:key/:file', async (req, reply) => {
        const { key, file } = req.params as { key: string; file: string };
        const b = await built(page, reply);
        if (!b) return reply;
        const type = TYPES[extname(file)];
        if (key !== b.key || !type || file === 'index.html' || !/^[\w.-]+$/.test(file)) {
          return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no asset ${req.url}`, hint: 'Reload the page: hookline was restarted with another build of the page.' } });
        }
        let body = files.get(file);
        if (!body) {
          try {
            body = await readFile(join(b.dir, file));
          } catch {
            return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no asset ${req.url}`, hint: '' } });
          }
          files.set(file, body);
        }
        reply.type(type).header('x-content-type-options', 'nosniff').header('cache-control', 'public, max-age=31536000, immutable').header('vary', 'accept-encoding');
        if (type.startsWith('text/') && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
          let z = gzipped.get(file);
          if (!z) gzipped.set(file, (z = gzip(body)));
          return reply.header('content-encoding', 'gzip').send(await z);
        }
        return reply.send(body);
      });

      app.get('/api/hooks/:hook/typings', async (req, reply) => {
        const { hook } = req.params as { hook: string };
        if (!isHookName(hook)) return reply.code(404).send({ error: { code: 'UNKNOWN_HOOK', message: `there is no hook "${hook}"`, hint: 'GET /api/hooks lists the 13 hooks.' } });
        return reply.type('text/plain; charset=utf-8').send(editorTypings(hook));
      });
    },
  };
}

/** The page while the build runs (or after it failed): no script, it reloads itself every 2 s. */
function waiting(error: string | null): string {
  const esc = (t: string) => t.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const body = error
    ? `<p>The editor page could not be built: <code>${esc(error)}</code></p><p>See hookline's log; <code>node editor/build.ts</code> shows esbuild's errors. This page tries again every 2 s.</p>`
    : '<p>Building the editor page (esbuild: the page, Monaco and its TypeScript worker). This happens once per version of hookline and takes a few seconds; this page reloads itself.</p>';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2"><title>hookline</title></head><body style="font: 15px system-ui, sans-serif; margin: 15vh auto; max-width: 520px"><h1>hookline</h1>${body}</body></html>`;
}

async function built(page: () => Promise<PageBuild>, reply: { code(n: number): { send(b: unknown): unknown } }): Promise<PageBuild | null> {
  try {
    return await page();
  } catch (e) {
    reply.code(500).send({ error: { code: 'PAGE_BUILD_FAILED', message: `the editor page could not be built: ${String(e)}`, hint: 'See the log; run `node editor/build.ts` to see the esbuild errors.' } });
    return null;
  }
}
