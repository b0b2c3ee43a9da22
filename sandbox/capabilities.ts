/**
 * Host capabilities: the few host functions a script may call on purpose, each offered to one hook only and
 * wrapped so that its errors stay inside (the script sees a rejected promise with a plain message). Today there
 * is one: `convertToMp3(path)` for process_record_file_path (Kommo's player plays MP3 only).
 *
 * It runs where the isolate runs (the supervised child, or this process for the in-process runner): the
 * encoder is a separate process anyway, so nothing is gained by proxying to the engine, and the invocation's
 * deadline (deadline.ts) ends it the same way: when an invocation ends, for whatever reason, its encoders are
 * killed and their half-written files removed. So a conversion past the hook's timeout leaves nothing behind,
 * and the engine goes on with the default: the original file.
 *
 * Confinement: the input must resolve (realpath) to a regular file inside `recordingsDir`; the output is
 * written only into `cacheDir`, under a name derived from the input's real path, size and mtime (a second call
 * for the same recording answers from the cache). At most MAX_CONCURRENT encoders run per process and
 * MAX_CALLS_PER_INVOCATION conversions per invocation, so a script cannot fork-bomb the host.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, extname, join, sep } from 'node:path';
import type { Mp3Encoder } from './encoder.ts';

export interface ConvertToMp3Options {
  /** Recordings may only be read from inside this folder (Asterisk's monitor folder). */
  recordingsDir: string;
  /** Converted files are written here (created when missing, mode 0700). */
  cacheDir: string;
  /**
   * The encoder's paths: lame first (ffmpeg for what it refuses), else ffmpeg. Default: what chooseMp3Encoder()
   * (encoder.ts) decides in the process that builds the runner (createHookRunner fills it in).
   */
  encoder?: Mp3Encoder;
  /** MP3 bit rate. Default 32 kbit/s: telephone audio (8 kHz mono) loses nothing audible, and files stay small. */
  bitrateKbps?: number;
}

/** The capabilities a runner offers. Plain data: it crosses to the sandbox child with each invocation. */
export interface Capabilities {
  convertToMp3?: ConvertToMp3Options;
}

/** The one hook each capability is offered to. */
export const CAPABILITY_HOOK = { convertToMp3: 'process_record_file_path' } as const;

/** What a given hook is offered (nothing for any other hook). */
export function capabilitiesFor(hook: string, caps: Capabilities | undefined): Capabilities | undefined {
  return caps?.convertToMp3 && hook === CAPABILITY_HOOK.convertToMp3 ? { convertToMp3: caps.convertToMp3 } : undefined;
}

const MAX_CONCURRENT = 2;
const MAX_CALLS_PER_INVOCATION = 3;
const STDERR_KEEP = 400;

let running = 0;
const waiting: Array<() => void> = [];
/** Conversions under way, by their MP3's path: a second request for the same recording waits for the first. */
const converting = new Map<string, Promise<string>>();

/**
 * An encoder slot. A slot freed while others wait is handed to the first of them as it is (`running` stays),
 * so a request arriving in between cannot take it too and make a third encoder.
 */
async function slot(signal: AbortSignal): Promise<() => void> {
  if (running < MAX_CONCURRENT) running++;
  else {
    await new Promise<void>((resolve, reject) => {
      const go = () => {
        signal.removeEventListener('abort', stop);
        resolve();
      };
      const stop = () => {
        const i = waiting.indexOf(go);
        if (i >= 0) waiting.splice(i, 1);
        reject(new Error('the invocation ended before an encoder was free'));
      };
      waiting.push(go);
      signal.addEventListener('abort', stop, { once: true });
    });
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
}

const inside = (root: string, p: string) => p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);

function run(cmd: string, args: string[], signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('the invocation ended'));
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      stderr = (stderr + d).slice(-STDERR_KEEP);
    });
    const kill = () => child.kill('SIGKILL');
    signal.addEventListener('abort', kill, { once: true });
    child.on('error', (e) => {
      signal.removeEventListener('abort', kill);
      reject(new Error(`${basename(cmd)} could not be started: ${e.message}`));
    });
    child.on('close', (code, sig) => {
      signal.removeEventListener('abort', kill);
      if (code === 0) resolve();
      else reject(new Error(sig ? `${basename(cmd)} was stopped (${sig})` : `${basename(cmd)} exited with code ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`));
    });
  });
}

/** Converts one recording; resolves with the MP3's path. Errors are plain Error values with a readable message. */
export async function convertToMp3(path: string, o: ConvertToMp3Options, signal: AbortSignal): Promise<string> {
  if (typeof path !== 'string' || path === '') throw new Error('convertToMp3 needs the path of a recording');
  const root = await realpath(o.recordingsDir).catch(() => {
    throw new Error(`the recordings folder ${o.recordingsDir} does not exist`);
  });
  const real = await realpath(path).catch(() => {
    throw new Error(`${path} does not exist`);
  });
  if (!inside(root, real)) throw new Error(`${path} is outside the recordings folder ${o.recordingsDir}; only recordings are converted`);
  const st = await stat(real);
  if (!st.isFile()) throw new Error(`${path} is not a file`);
  if (extname(real).toLowerCase() === '.mp3') return real;

  await mkdir(o.cacheDir, { recursive: true, mode: 0o700 });
  const key = createHash('sha256').update(`${real}\0${st.size}\0${st.mtimeMs}`).digest('hex').slice(0, 16);
  const out = join(o.cacheDir, `${basename(real, extname(real))}-${key}.mp3`);
  const done = await stat(out).catch(() => null);
  if (done?.isFile() && done.size > 0) return out;

  const under = converting.get(out);
  if (under) {
    const shared = await under.catch((e: unknown) => e as Error);
    if (typeof shared === 'string') return shared;
    // it failed for the invocation that started it (ended, killed): this one tries on its own
    if (signal.aborted) throw shared;
  }
  const job = encode(real, out, o, signal);
  converting.set(out, job);
  try {
    return await job;
  } finally {
    if (converting.get(out) === job) converting.delete(out);
  }
}

async function encode(real: string, out: string, o: ConvertToMp3Options, signal: AbortSignal): Promise<string> {
  const lamePath = o.encoder?.lame ?? null;
  const ffmpegPath = o.encoder?.ffmpeg ?? null;
  if (!lamePath && !ffmpegPath) {
    throw new Error('there is no MP3 encoder on this machine (no lame or ffmpeg on the PATH, and the npm package @ffmpeg-installer/ffmpeg is not installed)');
  }
  const release = await slot(signal);
  const tmp = `${out}.${process.pid}.${randomBytes(6).toString('hex')}.part`;
  const kbps = String(o.bitrateKbps ?? 32);
  const lame = (path: string) => run(path, ['--quiet', '--nohist', '-b', kbps, real, tmp], signal);
  const ffmpeg = (path: string) =>
    run(path, ['-nostdin', '-v', 'error', '-y', '-i', real, '-vn', '-codec:a', 'libmp3lame', '-b:a', `${kbps}k`, '-f', 'mp3', tmp], signal);
  try {
    if (!lamePath) await ffmpeg(ffmpegPath as string);
    else {
      // lame reads PCM WAV only; Asterisk's WAV49 (GSM in a .WAV) and other formats go through ffmpeg.
      await lame(lamePath).catch(async (e: unknown) => {
        if (signal.aborted || !ffmpegPath) throw e;
        await ffmpeg(ffmpegPath).catch((f: unknown) => {
          throw new Error(`${(e as Error).message}; ffmpeg: ${(f as Error).message}`);
        });
      });
    }
    await rename(tmp, out);
    return out;
  } finally {
    release();
    await rm(tmp, { force: true });
  }
}

/** One invocation's view of the capabilities: calls counted, encoders ended with it. */
export function invocationCapabilities(caps: Capabilities) {
  const controller = new AbortController();
  let calls = 0;
  return {
    convertToMp3: caps.convertToMp3
      ? async (path: unknown): Promise<string> => {
          if (++calls > MAX_CALLS_PER_INVOCATION) throw new Error(`convertToMp3 may be called at most ${MAX_CALLS_PER_INVOCATION} times per invocation`);
          try {
            return await convertToMp3(String(path), caps.convertToMp3 as ConvertToMp3Options, controller.signal);
          } catch (e) {
            // Only the message crosses into the isolate: never a host object or stack.
            throw new Error(`convertToMp3: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
      : null,
    /** Ends the invocation: running encoders are killed, waiting ones give up. */
    end: () => controller.abort(),
  };
}
