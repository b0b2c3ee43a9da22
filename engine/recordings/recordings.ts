/**
 * Recordings in Kommo's player: for a conversation's recording, process_record_file_path chooses the file to
 * link (when no script is published and conversion is on, the default script converts WAV to MP3 through the
 * sandbox's convertToMp3 capability); the file is checked to be inside the recordings folder or the cache of
 * converted files, and a signed, expiring link to hookline's own GET /recordings/… is made for the call log.
 * Any failure links the original file (a failing script is recorded by the invoker like any hook failure);
 * a file that is not there gives no link. Converted files older than the link TTL are pruned from the cache
 * (prune.ts) at start and every 6 hours; linking a cached MP3 sets its mtime to the link's time, so it stays
 * as long as its newest link is valid. See docs/design/recordings.md.
 */
import { utimes } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Capabilities, Mp3Encoder } from '../../sandbox/index.ts';
import { isScriptFailure, makeError, type CallFull, type HooklineError } from '../../contracts/index.ts';
import type { RouteModule } from '../../http/index.ts';
import type { HookInvoker } from '../hooks/index.ts';
import { silentLogger, type Logger } from '../../log/index.ts';
import { realInside } from './inside.ts';
import { keyPath, loadOrCreateKey } from './link-key.ts';
import { DEFAULT_LINK_TTL_HOURS, PRUNE_EVERY_MS, pruneMp3Cache } from './prune.ts';
import { signToken, type LinkRoot } from './link-token.ts';
import { serveRecording } from './serve.ts';

/** Where converted recordings are kept, under the data folder. */
export const mp3CacheDir = (dataDir: string) => join(dataDir, 'recordings-mp3');

/**
 * What createRunner({capabilities}) needs for convertToMp3: read from `dir`, write into the cache, with `encoder`
 * (default: the runner decides with chooseMp3Encoder, sandbox/encoder.ts).
 */
export function recordingsCapabilities(o: { dir: string; dataDir: string; encoder?: Mp3Encoder }): Capabilities {
  return { convertToMp3: { recordingsDir: o.dir, cacheDir: mp3CacheDir(o.dataDir), ...(o.encoder ? { encoder: o.encoder } : {}) } };
}

export interface RecordingsOptions {
  /** config.recordings.dir: where MixMonitor writes. */
  dir: string;
  /** config.dataDir: the link key (recordings.key) and the cache of converted files (recordings-mp3/). */
  dataDir: string;
  /** config.recordings.publicBaseUrl: how Kommo reaches hookline. Without it calls get no recording link. */
  publicBaseUrl?: string;
  /** config.recordings.linkTtlHours. Default 90 days. */
  ttlHours?: number;
  /** A key to sign with instead of the data folder's recordings.key (at least 32 bytes). */
  secret?: string | Buffer;
  /**
   * The hook invoker (engine/hooks): the published process_record_file_path, else its default script (WAV →
   * MP3, when the invoker enables it: config recordings.convertToMp3), else the original file.
   */
  invoker: HookInvoker;
  /** config.recordings.pbxDir: the folder as Asterisk names it, when hookline sees it at `dir` (a mount). */
  pbxDir?: string;
  log?: Logger;
  /** The clock (ms) for link expiry, the mtime set on a linked cached MP3, and pruning. Default Date.now. */
  now?: () => number;
}

export interface RecordingLink {
  /** The signed link for the call log, or null (no file, or no publicBaseUrl). */
  url: string | null;
  /** The real path of the file linked, or null. */
  file: string | null;
  /** True when the file linked is a converted MP3 rather than the original. */
  converted: boolean;
  /** Why the original was linked, or why there is no link. */
  error?: HooklineError;
}

export interface Recordings {
  /** For the registrar: the link of a conversation's recording (process_record_file_path runs inside). */
  linkFor(input: { path: string; call_full: CallFull }, linkedid: string | null): Promise<RecordingLink>;
  /** A signed link to a file inside the recordings folder or the cache, or null when it is neither. */
  linkToFile(file: string): Promise<string | null>;
  /** GET /recordings/<token>[/<name>] on the service's HTTP server (public: the signature is the authentication). */
  route: RouteModule;
  keyFile: string | null;
  /**
   * Stops pruning the MP3 cache (done at creation and every 6 hours on an unref'd timer) and waits for a prune
   * in progress. Links are still made after it.
   */
  close(): Promise<void>;
}

export function createRecordings(o: RecordingsOptions): Recordings {
  const log = (o.log ?? silentLogger).child({ module: 'recordings' });
  const now = o.now ?? Date.now;
  const dir = resolve(o.dir);
  const cache = resolve(mp3CacheDir(o.dataDir));
  const roots: Record<LinkRoot, string> = { rec: dir, mp3: cache };
  const key = o.secret !== undefined ? Buffer.from(o.secret) : loadOrCreateKey(o.dataDir);
  if (key.length < 32) throw new Error('recordings: the signing secret must be at least 32 bytes');
  const ttlSec = Math.round((o.ttlHours ?? DEFAULT_LINK_TTL_HOURS) * 3600);
  const base = o.publicBaseUrl?.replace(/\/+$/, '');
  if (!base) log.warn('recordings.publicBaseUrl is not set: call logs in Kommo get no recording link (set it to an address of hookline that Kommo users\' browsers can reach)');
  const pbxDir = o.pbxDir ? resolve(o.pbxDir) : null;
  /** Asterisk's name for a recording → where hookline reads it. */
  const fromPbx = (p: string) => (pbxDir && resolve(p).startsWith(pbxDir + sep) ? join(dir, relative(pbxDir, resolve(p))) : p);

  /**
   * Which folder holds the file, and the path inside it; null when neither. A file in the MP3 cache gets its
   * mtime set to `at`, the time its link is signed with: the prune keeps a cached file for the TTL after its
   * newest link (a cached conversion linked again, for a re-registration or by a second call log, would
   * otherwise be pruned while its new link is valid). A cached file pruned meanwhile is null.
   */
  async function place(file: string, at: number): Promise<{ root: LinkRoot; rel: string; real: string } | null> {
    for (const root of ['mp3', 'rec'] as const) {
      const found = await realInside(roots[root], file);
      if (!found) continue;
      if (root === 'mp3') {
        const gone = await utimes(found.real, at / 1000, at / 1000).then(
          () => false,
          (e: unknown) => {
            if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
            log.warn({ path: found.real, err: String(e) }, 'the mtime of a linked MP3 could not be set: the cache prune may delete it before its link expires');
            return false;
          },
        );
        if (gone) continue;
      }
      return { root, rel: relative(found.realRoot, found.real).split(sep).join('/'), real: found.real };
    }
    return null;
  }

  function urlFor(root: LinkRoot, rel: string, at: number): string | null {
    if (!base) return null;
    const token = signToken(key, { r: root, p: rel, e: Math.floor(at / 1000) + ttlSec });
    const name = rel.split('/').at(-1) ?? 'recording';
    return `${base}/recordings/${token}/${encodeURIComponent(name)}`;
  }

  async function linkFor(input: { path: string; call_full: CallFull }, linkedid: string | null): Promise<RecordingLink> {
    const original = resolve(dir, fromPbx(input.path));
    const out = await o.invoker.invoke('process_record_file_path', { call_full: input.call_full, path: original }, { linkedid });
    // The invoker checked it against the hook's contract: { path: non-empty string }.
    const chosen = out.data.path;
    // A failure is logged and recorded by the invoker; the link says why the original was linked.
    let error: HooklineError | undefined = out.error && isScriptFailure(out.error.code) ? out.error : undefined;
    const at = now();
    let placed = await place(resolve(dir, chosen), at);
    if (!placed && resolve(dir, chosen) !== original) {
      error = makeError('RECORDING_NOT_FOUND', { linkedid: linkedid ?? undefined, path: chosen, detail: 'process_record_file_path chose a file that is not inside the recordings folder or the cache; the original is linked' });
      log.warn({ linkedid, chosen, original }, error.message);
      placed = await place(original, at);
    }
    if (!placed) {
      const notFound = makeError('RECORDING_NOT_FOUND', { linkedid: linkedid ?? undefined, path: original, detail: 'it is missing, unreadable, or outside the recordings folder' });
      log.warn({ linkedid, path: original }, notFound.message);
      return { url: null, file: null, converted: false, error: error ?? notFound };
    }
    const link: RecordingLink = { url: urlFor(placed.root, placed.rel, at), file: placed.real, converted: placed.root === 'mp3' };
    if (error) link.error = error;
    return link;
  }

  const route: RouteModule = {
    name: 'recordings',
    isPublic: (url) => url.startsWith('/recordings/'),
    // Signed links: a DNS-rebinding page has no valid signature, and Kommo may fetch a link through a proxy's name.
    anyHost: (url) => url.startsWith('/recordings/'),
    register(app) {
      const ctx = { key, roots, now, log };
      // A wildcard, not `:token`: a token is longer than fastify's default 100-character parameter limit (414).
      // HEAD on its own: fastify's generated HEAD route would read the whole file and answer Content-Length: 0.
      const handler = (req: FastifyRequest, reply: FastifyReply) => serveRecording(ctx, req, reply);
      app.route({ method: 'GET', url: '/recordings/*', exposeHeadRoute: false, handler });
      app.route({ method: 'HEAD', url: '/recordings/*', handler });
    },
  };

  // Pruning the cache: once now, without holding up the caller, then every 6 hours.
  let pruning: Promise<void> | null = null;
  const prune = () =>
    (pruning ??= pruneMp3Cache({ cacheDir: cache, ttlHours: ttlSec / 3600, now, log })
      .then((r) => {
        if (r.removed > 0) {
          log.info({ path: cache, removed: r.removed, bytes: r.bytes, kept: r.kept }, `pruned ${r.removed} converted recording(s) older than the link TTL from the MP3 cache (${(r.bytes / 1048576).toFixed(1)} MB)`);
        }
      })
      .catch((e: unknown) => log.warn({ path: cache, err: String(e) }, 'pruning the MP3 cache failed'))
      .finally(() => {
        pruning = null;
      }));
  void prune();
  const pruneTimer = setInterval(() => void prune(), PRUNE_EVERY_MS);
  pruneTimer.unref();

  return {
    linkFor,
    async linkToFile(file) {
      const at = now();
      const placed = await place(resolve(dir, file), at);
      return placed ? urlFor(placed.root, placed.rel, at) : null;
    },
    route,
    keyFile: o.secret !== undefined ? null : keyPath(o.dataDir),
    async close() {
      clearInterval(pruneTimer);
      await pruning;
    },
  };
}
