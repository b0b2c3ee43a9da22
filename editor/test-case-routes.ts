/**
 * Test cases over HTTP (issue 17, item 3), and a hook's export and import (its source and its cases):
 *   GET    /api/hooks/:hook/tests            the cases, oldest first
 *   POST   /api/hooks/:hook/tests            a case: {name, input, expected} or {name, input, source} (the
 *                                            expected output is what that source returns now); from a capture:
 *                                            {name, captureId, …} takes its input, time and seed
 *   PUT    /api/hooks/:hook/tests/:id        {name?, expected?}
 *   DELETE /api/hooks/:hook/tests/:id
 *   POST   /api/hooks/:hook/tests/run        {source?}: every case on that source (default: the draft)
 *   POST   /api/hooks/:hook/run              {input, source?, now?, seed?}: the source (default: the draft) once on
 *                                            that input (issue 17, item 5: "run once" on an input edited as JSON)
 *   GET    /api/hooks/:hook/example          {input}: the contract's example input, to start editing from
 *   GET    /api/hooks/:hook/export           {format, hook, source, published, tests}
 *   POST   /api/hooks/:hook/import           an export: its source becomes the draft, its cases are added
 *                                            (a case with the same id replaced)
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hooks, isHookName, validateInput, validateOutput, type HookName } from '../contracts/index.ts';
import { problem, SESSION_COOKIE } from '../http/index.ts';
import { compile } from '../sandbox/index.ts';
import { MAX_TEST_CASES, type TestCase, type TestCaseInput } from '../scripts-store/index.ts';
import type { EditorRoutesOptions } from './routes.ts';
import { runTestCases } from './test-cases.ts';

export const EXPORT_FORMAT = 'hookline.hook/1';

const str = { type: 'string' } as const;
const json = {} as const; // any JSON value
const from = { type: 'object', additionalProperties: false, properties: { kind: str, captureId: str, linkedid: { type: ['string', 'null'] } }, required: ['kind'] } as const;
const caseShape = {
  type: 'object', additionalProperties: false, required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, input: json, expected: json, source: { type: 'string', maxLength: 1_000_000 }, captureId: str, now: { type: 'number' }, seed: { type: 'number' }, from },
} as const;
const bodies = {
  add: caseShape,
  update: { type: 'object', additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, expected: json } },
  run: { type: 'object', additionalProperties: false, properties: { source: { type: 'string', maxLength: 1_000_000 } } },
  once: { type: 'object', additionalProperties: false, required: ['input'], properties: { input: json, source: { type: 'string', maxLength: 1_000_000 }, now: { type: 'number' }, seed: { type: 'number' } } },
  import: {
    type: 'object', required: ['format', 'hook'],
    properties: {
      format: str, hook: str, source: { type: ['string', 'null'], maxLength: 1_000_000 },
      tests: {
        type: 'array', maxItems: MAX_TEST_CASES,
        items: { type: 'object', required: ['id', 'name', 'input', 'expected'], properties: { id: { type: 'string', minLength: 1 }, name: str, input: json, expected: json, now: { type: 'number' }, seed: { type: 'number' }, from, createdAt: str, author: str } },
      },
    },
  },
} as const;

function hookOf(req: FastifyRequest, reply: FastifyReply): HookName | null {
  const h = (req.params as { hook?: string }).hook;
  if (isHookName(h)) return h;
  void problem(reply, 404, 'UNKNOWN_HOOK', `there is no hook "${h}"`, 'GET /api/hooks lists the 13 hooks.');
  return null;
}

/** Why a case's input or expected output does not fit the hook's contract, or null. */
function misfit(hook: HookName, input: unknown, expected: unknown): string | null {
  const i = validateInput(hook, input);
  if (!i.ok) return `the input does not fit ${hook}'s contract at ${i.path || '(the top)'}: ${i.detail}`;
  if (expected === undefined) return null;
  const e = validateOutput(hook, expected);
  if (!e.ok) return `the expected output does not fit ${hook}'s contract at ${e.path || '(the top)'}: ${e.detail}`;
  return null;
}

export function registerTestCaseRoutes(app: FastifyInstance, o: EditorRoutesOptions): void {
  const runner = () => o.replayRunner ?? o.runner;
  const author = (req: FastifyRequest) => o.auth.session(req.cookies[SESSION_COOKIE])?.username ?? 'admin';
  const draftOf = (hook: HookName) => o.store.draft(hook)?.source ?? o.store.published(hook)?.source ?? hooks[hook].template;
  /** The store refuses a write (RangeError: too many cases; StoreWriteError: the file) as a value for the answer. */
  const stored = async <T>(reply: FastifyReply, f: () => Promise<T>): Promise<T | null> => {
    try {
      return await f();
    } catch (e) {
      if (e instanceof RangeError) void problem(reply, 409, 'BAD_REQUEST', e.message, `Delete cases in the editor's Tests tab (DELETE /api/hooks/<hook>/tests/<id>).`);
      else void reply.code(500).send({ error: (e as { error?: unknown }).error ?? { code: 'INTERNAL', message: String(e), hint: 'See the log.' } });
      return null;
    }
  };

  app.get('/api/hooks/:hook/tests', async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    return { tests: o.store.testCases(hook) };
  });

  app.post('/api/hooks/:hook/tests', { schema: { body: bodies.add } }, async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    const b = req.body as { name: string; input?: unknown; expected?: unknown; source?: string; captureId?: string; now?: number; seed?: number; from?: TestCase['from'] };
    const capture = b.captureId === undefined ? null : (o.store.captures(hook, { ids: [b.captureId] })[0] ?? null);
    if (b.captureId !== undefined && !capture) return problem(reply, 404, 'NOT_FOUND', `there is no capture ${b.captureId} of ${hook} (the ring may have dropped it)`, 'Send the input itself as "input".');
    const input = b.input !== undefined ? b.input : capture?.input;
    if (input === undefined) return problem(reply, 400, 'BAD_REQUEST', 'a test case needs an input: "input", or "captureId" naming a capture', 'Save it from a replay row or a failure, or send the input as JSON.');
    if (b.expected === undefined && b.source === undefined) return problem(reply, 400, 'BAD_REQUEST', 'a test case needs its expected output: "expected", or "source" (what that script returns now becomes the expected output)', 'Send one of them.');
    const now = b.now ?? capture?.now ?? Date.now();
    const seed = b.seed ?? capture?.seed ?? 1;
    let expected = b.expected;
    if (expected === undefined) {
      // "What the draft returns now": the source runs on the input with its time and seed, as a replay would.
      const probe: TestCase = { id: 'probe', name: b.name, input, expected: null, now, seed, createdAt: new Date().toISOString(), author: '' };
      const r = await runTestCases({ runner: runner(), hook, source: b.source as string, cases: [probe], limits: o.hookLimits?.[hook] });
      if (!r.ok) return reply.code(400).send({ error: r.error });
      const res = r.report.results[0];
      if (res?.error) return problem(reply, 422, 'BAD_REQUEST', `the script fails on this input, so it gives no output to expect (${res.error.code}: ${res.error.message})`, 'Write the expected output as JSON instead, or fix the script first.');
      expected = res?.actual;
    }
    const bad = misfit(hook, input, expected);
    if (bad) return problem(reply, 400, 'BAD_REQUEST', bad, `docs/hooks.md describes ${hook}'s input and output.`);
    const origin = b.from ?? (capture ? { kind: 'capture', captureId: capture.id, linkedid: capture.linkedid } : { kind: 'manual' });
    const saved = await stored(reply, () => o.store.saveTestCases(hook, [{ name: b.name, input, expected, now, seed, from: origin, author: author(req) } satisfies TestCaseInput]));
    if (!saved) return reply;
    return reply.code(201).send({ test: saved[0] });
  });

  app.put('/api/hooks/:hook/tests/:id', { schema: { body: bodies.update } }, async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    const id = (req.params as { id: string }).id;
    const b = req.body as { name?: string; expected?: unknown };
    const old = o.store.testCases(hook).find((c) => c.id === id);
    if (!old) return problem(reply, 404, 'NOT_FOUND', `${hook} has no test case ${id}`, 'GET /api/hooks/<hook>/tests lists them.');
    const bad = 'expected' in b ? misfit(hook, old.input, b.expected) : null;
    if (bad) return problem(reply, 400, 'BAD_REQUEST', bad, `docs/hooks.md describes ${hook}'s output.`);
    const t = await stored(reply, () => o.store.updateTestCase(hook, id, b));
    if (!t) return reply;
    return { test: t };
  });

  app.delete('/api/hooks/:hook/tests/:id', async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    const id = (req.params as { id: string }).id;
    const gone = await stored(reply, () => o.store.deleteTestCase(hook, id));
    if (gone === null) return reply;
    if (!gone) return problem(reply, 404, 'NOT_FOUND', `${hook} has no test case ${id}`, 'GET /api/hooks/<hook>/tests lists them.');
    return { deleted: id };
  });

  app.post('/api/hooks/:hook/tests/run', { schema: { body: bodies.run } }, async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    const source = (req.body as { source?: string }).source ?? draftOf(hook);
    const r = await runTestCases({ runner: runner(), hook, source, cases: o.store.testCases(hook), limits: o.hookLimits?.[hook] });
    if (!r.ok) return reply.code(400).send({ error: r.error });
    return r.report;
  });

  app.post('/api/hooks/:hook/run', { schema: { body: bodies.once } }, async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    const b = req.body as { input: unknown; source?: string; now?: number; seed?: number };
    const c = await compile(b.source ?? draftOf(hook), { hook, version: 'draft' });
    if (!c.ok) return reply.code(400).send({ error: c.error });
    // An input the contract refuses comes back as the run's INVALID_INPUT error, like a capture would.
    const r = await runner().invoke(hook, { version: 'draft', compiled: c.compiled }, b.input, { now: b.now ?? Date.now(), seed: b.seed ?? 1, ...(o.hookLimits?.[hook] ? { limits: o.hookLimits[hook] } : {}) });
    const error = r.error && r.error.code !== 'NO_SCRIPT' ? { code: r.error.code, message: r.error.message, hint: r.error.hint } : null;
    return { draft: { ok: r.ok, data: r.data, error, logs: r.logs, durationMs: r.durationMs } };
  });

  app.get('/api/hooks/:hook/example', async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    return { input: hooks[hook].exampleInput };
  });

  app.get('/api/hooks/:hook/export', async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    const pub = o.store.published(hook);
    void reply.header('content-disposition', `attachment; filename="${hook}.hookline.json"`);
    return {
      format: EXPORT_FORMAT, hook, exportedAt: new Date().toISOString(),
      /** The draft (what the editor shows), else the live version's source, else null (the built-in default). */
      source: o.store.draft(hook)?.source ?? pub?.source ?? null,
      published: pub ? { version: pub.version, source: pub.source } : null,
      tests: o.store.testCases(hook),
    };
  });

  app.post('/api/hooks/:hook/import', { schema: { body: bodies.import } }, async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    const b = req.body as { format: string; hook: string; source?: string | null; tests?: (TestCaseInput & { id: string })[] };
    if (b.format !== EXPORT_FORMAT) return problem(reply, 400, 'BAD_REQUEST', `this is not a hookline hook export (format "${String(b.format).slice(0, 40)}", expected "${EXPORT_FORMAT}")`, 'Import a file made by Export (GET /api/hooks/<hook>/export).');
    if (b.hook !== hook) return problem(reply, 400, 'BAD_REQUEST', `the export is of ${String(b.hook).slice(0, 60)}, not ${hook}`, `Import it into ${String(b.hook).slice(0, 60)}, or export from ${hook}.`);
    const cases = (b.tests ?? []).map((t) => ({ id: t.id, name: t.name, input: t.input, expected: t.expected, now: t.now ?? Date.now(), seed: t.seed ?? 1, from: t.from ?? { kind: 'import' }, author: t.author ?? author(req), ...(t.createdAt ? { createdAt: t.createdAt } : {}) }));
    for (const t of cases) {
      const bad = misfit(hook, t.input, t.expected);
      if (bad) return problem(reply, 400, 'BAD_REQUEST', `test case "${t.name}" (${t.id}): ${bad}`, 'Nothing was imported: fix the file and import it again.');
    }
    const saved = await stored(reply, () => o.store.saveTestCases(hook, cases));
    if (!saved) return reply;
    // Only the draft: what goes live is still decided by Publish (checked, confirmed).
    if (typeof b.source === 'string') await o.store.saveDraft(hook, b.source, author(req));
    return { hook, draft: typeof b.source === 'string', tests: saved.length };
  });
}
