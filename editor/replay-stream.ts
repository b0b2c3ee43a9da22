/**
 * The editor's replay over WebSocket (GET /api/ws), beside POST /api/hooks/:hook/replay: the same replay, its
 * results sent one by one as they complete. An upgrade does not pass through fastify's hooks, so the session
 * gate's checks are made here: the session cookie, and no foreign Origin.
 */
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import { hooks, isHookName } from '../contracts/index.ts';
import { isForeignOrigin, SESSION_COOKIE } from '../http/index.ts';
import { replay } from './replay.ts';
import { runTestCases } from './test-cases.ts';
import type { EditorRoutesOptions } from './routes.ts';

/** What the stream needs: the editor's own options (routes.ts), less the page. */
export type ReplayStreamOptions = Omit<EditorRoutesOptions, 'page'>;

/**
 * GET /api/ws (WebSocket): replay results stream as they complete. The upgrade needs the session cookie and,
 * like every state-changing route, refuses a foreign Origin. Send {"type":"replay","hook","limit"?,"ids"?,"source"?};
 * receive {"type":"result",…} per input, {"type":"tests",tests} (the hook's test cases, when it has
 * some), then {"type":"summary",summary} (or {"type":"error",error}).
 */
export function attachReplayStream(app: FastifyInstance, o: ReplayStreamOptions): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 2 * 1024 * 1024 });
  app.server.on('upgrade', (req, socket, head) => {
    const url = req.url ?? '';
    const cookies = app.parseCookie(req.headers.cookie ?? '');
    const origin = req.headers.origin;
    const refuse = (status: string) => {
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
    };
    if (!url.startsWith('/api/ws')) return refuse('404 Not Found');
    const token = cookies[SESSION_COOKIE];
    if (!o.auth.session(token)) return refuse('401 Unauthorized');
    if (isForeignOrigin(origin, req.headers.host)) return refuse('403 Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, token as string));
  });

  function serve(ws: WebSocket, token: string) {
    const bad = (message: string) => ws.send(JSON.stringify({ type: 'error', error: { code: 'BAD_REQUEST', message, hint: '' } }));
    ws.on('message', async (raw) => {
      // The session is checked at every message, not only at the upgrade: a logout or an expiry ends the stream.
      if (!o.auth.session(token)) return ws.close(1008, 'the session has ended; log in again');
      let msg: { type?: unknown; hook?: unknown; limit?: unknown; ids?: unknown; source?: unknown } | null;
      try {
        msg = JSON.parse(String(raw)) as typeof msg;
      } catch {
        return bad('send JSON');
      }
      // The same shape as POST /api/hooks/:hook/replay's body; anything else would throw inside replay().
      if (typeof msg !== 'object' || msg === null || msg.type !== 'replay' || !isHookName(msg.hook)) return bad('expected {"type":"replay","hook":<one of the 13 hooks>}');
      const { limit, ids, source: given } = msg;
      if (limit !== undefined && !(Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= 10_000)) return bad('limit must be an integer from 1 to 10000');
      if (ids !== undefined && !(Array.isArray(ids) && ids.length <= 10_000 && ids.every((i) => typeof i === 'string'))) return bad('ids must be an array of at most 10000 capture ids (strings)');
      if (given !== undefined && typeof given !== 'string') return bad('source must be a string');
      const hook = msg.hook;
      const source = given ?? o.store.draft(hook)?.source ?? o.store.published(hook)?.source ?? hooks[hook].template;
      try {
        const r = await replay({
          store: o.store, runner: o.replayRunner ?? o.runner, hook, draftSource: source, limit: limit as number | undefined, ids: ids as string[] | undefined, limits: o.hookLimits?.[hook],
          ...(o.capabilities ? { capabilities: o.capabilities } : {}),
          onResult: (result) => ws.send(JSON.stringify({ type: 'result', result })),
        });
        if (!r.ok) return ws.send(JSON.stringify({ type: 'error', error: r.error }));
        // The hook's test cases run on every replay (issue 17, item 3): {"type":"tests", tests} before the summary.
        const cases = o.store.testCases(hook);
        if (cases.length) {
          const t = await runTestCases({ runner: o.replayRunner ?? o.runner, hook, source, cases, limits: o.hookLimits?.[hook] });
          if (t.ok) ws.send(JSON.stringify({ type: 'tests', tests: t.report }));
        }
        ws.send(JSON.stringify({ type: 'summary', summary: r.report.summary }));
      } catch (err) {
        // A rejection here would be unhandled (an event listener), and an unhandled rejection ends the process.
        o.log?.error({ err: String(err) }, 'editor replay stream failed');
        ws.send(JSON.stringify({ type: 'error', error: { code: 'INTERNAL', message: 'the replay failed inside hookline', hint: 'See the log.' } }));
      }
    });
  }
  return wss;
}
