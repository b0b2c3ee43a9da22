import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';
import { createRecordings, loadOrCreateKey, recordingsCapabilities, signToken, type Recordings, type RecordingsOptions } from '../../engine/recordings/index.ts';
import { createHookInvoker, type InvocationRecord } from '../../engine/hooks/index.ts';
import type { HookLimits } from '../../contracts/index.ts';
import { silentLogger } from '../../log/index.ts';
import type { Runner } from '../../sandbox/index.ts';
import { createRunner, createTestInvoker, startHost, type Host, type Scripts } from '../autodistribution/host.ts';
import { decodedSeconds, makeWav, probe } from './media.ts';
import { ffprobePath } from '../helpers/binaries.ts';

let dir: string;
let monitor: string;
let dataDir: string;
let runner: Runner;
let host: Host;
let scripts: Scripts;
let records: InvocationRecord[];
/** As app/ makes it: convertToMp3 enables the default script; the hook's limits; what is recorded of each invocation. */
interface MakeOptions extends Partial<RecordingsOptions> {
  convertToMp3?: boolean;
  limits?: Partial<HookLimits>;
  onInvocation?: (r: InvocationRecord) => void;
}
let make: (o?: MakeOptions) => Recordings;
let wav: string;

const callFull = hooks.process_record_file_path.exampleInput.call_full;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hl-rec-'));
  monitor = join(dir, 'monitor');
  dataDir = join(dir, 'data');
  mkdirSync(join(monitor, '2026', '11', '25'), { recursive: true });
  wav = join(monitor, '2026', '11', '25', 'in-101-+31260010001-1763633700.65.wav');
  makeWav(wav, 4);
  writeFileSync(join(dir, 'secret.wav'), 'not a recording: outside the monitor folder');
  symlinkSync(join(dir, 'secret.wav'), join(monitor, 'escape.wav'));
  runner = createRunner({ capabilities: recordingsCapabilities({ dir: monitor, dataDir }) });
  const t = createTestInvoker(runner);
  ({ scripts, records } = t);
  // The server's instance; the links come from instances made after it knows its address, sharing the key
  // kept in the data folder (as two starts of hookline would).
  const serving = createRecordings({ dir: monitor, dataDir, invoker: t.invoker });
  host = await startHost(runner, [serving.route]);
  make = ({ convertToMp3 = true, limits, onInvocation, ...o } = {}) => {
    const invoker = createHookInvoker({
      runner, scripts, log: silentLogger, defaultScripts: convertToMp3 ? ['process_record_file_path'] : [],
      ...(limits ? { limits: { process_record_file_path: limits } } : {}),
      onInvocation: onInvocation ?? ((r) => records.push(r)),
    });
    return createRecordings({ dir: monitor, dataDir, publicBaseUrl: `${host.editor.url}/`, invoker, ...o });
  };
});
afterAll(async () => {
  await host.close();
  await runner.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await scripts.set('process_record_file_path', null);
  records.length = 0;
});

const bytesOf = async (res: Response) => Buffer.from(await res.arrayBuffer());

describe('the default: WAV converted to MP3, served with range requests', () => {
  let link: Awaited<ReturnType<Recordings['linkFor']>>;
  beforeAll(async () => {
    link = await make().linkFor({ path: wav, call_full: callFull }, '1763633700.65');
  });

  it('links an MP3 from the cache under the data folder', () => {
    expect(link.error).toBeUndefined();
    expect(link.converted).toBe(true);
    expect(link.file?.startsWith(join(dataDir, 'recordings-mp3'))).toBe(true);
    expect(link.url).toMatch(new RegExp(`^${host.editor.url}/recordings/[\\w-]+\\.[\\w-]+/in-101-%2B31260010001-1763633700\\.65-[0-9a-f]{16}\\.mp3$`));
  });

  it('serves the whole file: audio/mpeg that decodes to the recording\'s length', async () => {
    const res = await fetch(link.url as string);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    const body = await bytesOf(res);
    expect(body.length).toBe(Number(res.headers.get('content-length')));
    const copy = join(dir, 'fetched.mp3');
    writeFileSync(copy, body);
    expect(probe(copy)).toEqual({ format: 'mp3', codec: 'mp3' });
    expect(Math.abs(decodedSeconds(copy) - 4)).toBeLessThan(0.1);
  });

  it('serves ranges: 206 with Content-Range, the exact bytes; a range past the end is 416', async () => {
    const whole = readFileSync(link.file as string);
    const first = await fetch(link.url as string, { headers: { range: 'bytes=0-99' } });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-99/${whole.length}`);
    expect((await bytesOf(first)).equals(whole.subarray(0, 100))).toBe(true);

    const tail = await fetch(link.url as string, { headers: { range: 'bytes=-50' } });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe(`bytes ${whole.length - 50}-${whole.length - 1}/${whole.length}`);
    expect((await bytesOf(tail)).equals(whole.subarray(whole.length - 50))).toBe(true);

    const open = await fetch(link.url as string, { headers: { range: 'bytes=1000-' } });
    expect(open.status).toBe(206);
    expect((await bytesOf(open)).equals(whole.subarray(1000))).toBe(true);

    const past = await fetch(link.url as string, { headers: { range: `bytes=${whole.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${whole.length}`);
    expect(((await past.json()) as { error: { code: string } }).error.code).toBe('RECORDING_BAD_RANGE');
  });

  it('answers HEAD with the headers only', async () => {
    const res = await fetch(link.url as string, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBe(statSync(link.file as string).size);
    expect((await bytesOf(res)).length).toBe(0);
  });

  it('keeps the key in the data folder, readable by hookline alone', () => {
    expect(statSync(join(dataDir, 'recordings.key')).mode & 0o777).toBe(0o600);
  });
});

describe('when conversion does not happen', () => {
  it('a conversion past the hook\'s timeout links the original WAV; the default script\'s failure is reported', async () => {
    const long = join(monitor, 'long.wav');
    makeWav(long, 60, { rate: 44_100, channels: 2 });
    const seen: InvocationRecord[] = [];
    const link = await make({ limits: { timeoutMs: 100 }, onInvocation: (r) => seen.push(r) }).linkFor({ path: long, call_full: callFull }, '1.1');
    expect(link).toMatchObject({ converted: false, file: long, error: { code: 'TIMEOUT' } });
    expect(seen).toEqual([expect.objectContaining({ hook: 'process_record_file_path', version: 'default', linkedid: '1.1', error: expect.objectContaining({ code: 'TIMEOUT' }) })]);
    const res = await fetch(link.url as string, { headers: { range: 'bytes=0-3' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-type')).toBe('audio/wav');
    expect((await bytesOf(res)).toString('latin1')).toBe('RIFF');
  });

  it('a failing script links the original file, and the failure is recorded', async () => {
    await scripts.set('process_record_file_path', `export default function (): HookResult { throw new Error('no disk today'); }`);
    const link = await make().linkFor({ path: wav, call_full: callFull }, '1.2');
    expect(link).toMatchObject({ converted: false, file: wav, error: { code: 'SCRIPT_ERROR' } });
    expect(records.find((r) => r.hook === 'process_record_file_path')).toMatchObject({ linkedid: '1.2', error: { code: 'SCRIPT_ERROR' } });
    const res = await fetch(link.url as string);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/wav');
  });

  it('a published script is used instead of the default (here: keep the WAV)', async () => {
    await scripts.set('process_record_file_path', `export default (i: HookInput): HookResult => ({ data: { path: i.path }, state: 'success' });`);
    const link = await make().linkFor({ path: wav, call_full: callFull }, '1.3');
    expect(link).toMatchObject({ converted: false, file: wav });
    expect(link.error).toBeUndefined();
  });

  it('a script choosing a file outside the recordings folder gets the original linked', async () => {
    await scripts.set('process_record_file_path', `export default (i: HookInput): HookResult => ({ data: { path: '${join(dir, 'secret.wav')}' }, state: 'success' });`);
    const link = await make().linkFor({ path: wav, call_full: callFull }, '1.4');
    expect(link).toMatchObject({ file: wav, error: { code: 'RECORDING_NOT_FOUND' } });
  });

  it('with conversion off, the original is linked', async () => {
    const link = await make({ convertToMp3: false }).linkFor({ path: wav, call_full: callFull }, '1.5');
    expect(link).toMatchObject({ converted: false, file: wav });
  });

  it("a path in Asterisk's own folder name is read under recordings.dir (pbxDir)", async () => {
    const link = await make({ convertToMp3: false, pbxDir: '/var/spool/asterisk/monitor' }).linkFor(
      { path: '/var/spool/asterisk/monitor/2026/11/25/in-101-+31260010001-1763633700.65.wav', call_full: callFull }, '1.7');
    expect(link).toMatchObject({ file: wav, converted: false });
    expect(link.url).not.toBeNull();
  });

  it('a recording that is not there gives no link', async () => {
    const link = await make().linkFor({ path: join(monitor, 'gone.wav'), call_full: callFull }, '1.6');
    expect(link).toMatchObject({ url: null, file: null });
  });
});

describe('links that are refused', () => {
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;
  const key = () => loadOrCreateKey(dataDir);

  it('an expired link: 403 RECORDING_LINK_EXPIRED', async () => {
    const old = make({ ttlHours: 1, now: () => Date.now() - 2 * 3600_000, convertToMp3: false });
    const link = await old.linkFor({ path: wav, call_full: callFull }, '2.1');
    const res = await fetch(link.url as string);
    expect(res.status).toBe(403);
    const e = await errorOf(res);
    expect(e.code).toBe('RECORDING_LINK_EXPIRED');
    expect(e.message).toMatch(/^the recording link expired: on \d{4}-/);
  });

  it('a tampered signature, payload, or a link signed with another key: 403 RECORDING_LINK_INVALID', async () => {
    const url = (await make({ convertToMp3: false }).linkFor({ path: wav, call_full: callFull }, '2.2')).url as string;
    const [, token = ''] = /\/recordings\/([^/]+)\//.exec(url) ?? [];
    const [payload = '', sig = ''] = token.split('.');
    const other = signToken(Buffer.alloc(32, 7), { r: 'rec', p: 'escape.wav', e: Math.floor(Date.now() / 1000) + 60 });
    const forged = Buffer.from(JSON.stringify({ r: 'rec', p: '2026/11/25/other.wav', e: 4_000_000_000 })).toString('base64url');
    for (const t of [`${payload}.${sig.slice(0, -2)}AA`, `${forged}.${sig}`, other, 'x', `${payload}.`]) {
      const res = await fetch(`${host.editor.url}/recordings/${t}/x.wav`);
      expect(res.status, t).toBe(403);
      expect((await errorOf(res)).code).toBe('RECORDING_LINK_INVALID');
    }
  });

  it('a path traversal in the URL never reaches the disk', async () => {
    for (const p of ['/recordings/..%2F..%2Fsecret.wav', '/recordings/%2e%2e/%2e%2e/secret.wav', '/recordings/..%2f..%2fetc%2fpasswd/x']) {
      const res = await fetch(`${host.editor.url}${p}`);
      expect([403, 404], p).toContain(res.status);
      expect(await res.text()).not.toContain('outside the monitor folder');
    }
  });

  it('even with a valid signature, a path out of the folder (.., absolute, symlink out) is 404', async () => {
    const e = Math.floor(Date.now() / 1000) + 600;
    for (const p of ['../secret.wav', join(dir, 'secret.wav'), 'escape.wav', '2026/../../secret.wav']) {
      const res = await fetch(`${host.editor.url}/recordings/${signToken(key(), { r: 'rec', p, e })}/x.wav`);
      expect(res.status, p).toBe(404);
      const body = await res.text();
      expect(body).not.toContain('outside the monitor folder');
      expect(JSON.parse(body).error.code).toBe('RECORDING_NOT_FOUND');
    }
  });

  it('a symlink to a file inside the folder is served (the rule is the real path, not the name)', async () => {
    symlinkSync(wav, join(monitor, 'alias.wav'));
    const res = await fetch(`${host.editor.url}/recordings/${signToken(key(), { r: 'rec', p: 'alias.wav', e: Math.floor(Date.now() / 1000) + 600 })}/a.wav`);
    expect(res.status).toBe(200);
    expect((await bytesOf(res)).equals(readFileSync(wav))).toBe(true);
  });
});

describe('the key', () => {
  it('is refused, not replaced, when the file is damaged', () => {
    const d = mkdtempSync(join(tmpdir(), 'hl-key-'));
    try {
      writeFileSync(join(d, 'recordings.key'), 'short');
      expect(() => loadOrCreateKey(d)).toThrow(/is not a recording-link key \(64 hex characters\); move it away/);
      expect(readFileSync(join(d, 'recordings.key'), 'utf8')).toBe('short');
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

it('ffprobe is the tool the tests decode with (a sanity check of the test setup)', () => {
  expect(execFileSync(ffprobePath(), ['-version'], { encoding: 'utf8' })).toMatch(/^ffprobe version/);
});
