/**
 * The engine as its own process, for the crash test: connects to the sim/pbx and sim/kommo the test runs,
 * registers calls, prints `submitted <linkedid>` and `registered <linkedid>` lines. The test SIGKILLs it.
 */
import { checkConfig } from '../../config/index.ts';
import { createEngine } from '../../engine/index.ts';
import { createPublishedScripts } from '../../app/index.ts';
import { createHookInvoker } from '../../engine/hooks/index.ts';
import { silentLogger } from '../../log/index.ts';
import { createRunner } from '../../sandbox/index.ts';
import { openStore } from '../../scripts-store/index.ts';

const o = JSON.parse(process.env.HOOKLINE_CRASH_CHILD ?? '{}') as { dir: string; pbxPort: number; kommoUrl: string; rateWindowMs: number; config?: Record<string, unknown> };
const checked = checkConfig({ pbx: { trunks: ['SIP/voipgrid-siproute-docker'] }, ...(o.config ?? {}) }, null, {});
if (!checked.ok) throw new Error(checked.error.message);
const s = await openStore(o.dir, { flushMs: 20 });
if (!s.ok) throw new Error(s.error.message);
const runner = createRunner();
const scripts = createPublishedScripts(s.value, runner, silentLogger);
const hooks = createHookInvoker({ runner, scripts, log: silentLogger });
const engine = await createEngine({
  config: checked.value.config, dataDir: o.dir, hooks, log: silentLogger,
  ami: { host: '127.0.0.1', port: o.pbxPort, username: 'hookline', secret: 'hookline', pingIntervalMs: 0 },
  kommo: { baseUrl: o.kommoUrl, auth: { kind: 'long-lived', token: 'sim-long-lived-token' }, rateWindowMs: o.rateWindowMs, batchWindowMs: 20 },
  onCall: (c, submitted) => {
    if (submitted) process.stdout.write(`submitted ${c.linkedid}\n`);
  },
  onOutcome: (x) => process.stdout.write(`${x.ok ? 'registered' : 'failed'} ${x.linkedid}\n`),
  registrar: { retryBaseMs: 50, retryMaxMs: 500 },
});
const ready = await engine.ami.ready(5_000);
if (!ready.ok) throw new Error(ready.error.message);
const started = await engine.start();
if (!started.ok) throw new Error(started.error.message);
process.stdout.write(`ready pending=${engine.outbox.depth()}\n`);
// The end of the replay is signalled on stdin: once no AMI event has come for a second (every byte sent has been
// read), close the calls still open, as the CLI does at the end of a capture. Closing earlier, on a loaded
// machine, would end calls whose last events were still on their way.
let lastMessage = Date.now();
engine.ami.on('message', () => {
  lastMessage = Date.now();
});
process.stdin.on('data', async () => {
  // A Ping answered after every event the PBX wrote before it: all replayed events have been read.
  await engine.ami.action({ Action: 'Ping' });
  const check = setInterval(() => {
    if (Date.now() - lastMessage < 1_000) return;
    clearInterval(check);
    engine.follower.finish();
  }, 100);
});
