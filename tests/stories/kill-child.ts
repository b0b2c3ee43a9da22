/**
 * Writes stories as fast as it can into the folder it is given (a story a few KB, with events), printing
 * "wrote <n>" after each flushed batch; the test kills it with SIGKILL part-way through.
 */
import { openStoryStore } from '../../stories/index.ts';

const dir = process.argv[2] as string;
const store = openStoryStore(dir, { maxCalls: 1_000_000, maxDays: 3650, maxBytes: 1 << 30, eventsCalls: 1_000_000 }, { flushMs: 1 });
let n = 0;
const pad = 'x'.repeat(2000);
async function loop() {
  for (;;) {
    for (let i = 0; i < 20; i++) {
      n += 1;
      const k = n;
      const linkedid = `kill-${n}`;
      const summary = {
        linkedid, at: Date.now(), startedAt: '', endedAt: '', direction: 'inbound' as const, from: `+3120${n}`, to: '201', answered: true, answeredBy: '201',
        durationSec: 3, result: 200, outcome: 'registered' as const, reason: null, error: null, hooks: 1, kommoWrites: 1, events: 1,
      };
      store.add(summary, () => JSON.stringify({ v: 1, summary, call: null, hooks: [{ hook: 'need_registration', input: { n: k, pad } }], kommo: [], entities: [] }), [{ Event: 'Newchannel', Linkedid: linkedid, Uniqueid: linkedid }]);
    }
    await store.flush();
    process.stdout.write(`wrote ${n}\n`);
  }
}
void loop();
