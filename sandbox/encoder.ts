/**
 * Which program converts recordings to MP3 (the convertToMp3 capability), decided once, in the process that
 * builds the runner (the sandbox child gets the answer as plain data with each invocation). In this order:
 *
 *   1. `lame` on the PATH (Debian's `lame`): the encoder the conversion was measured with; since lame reads
 *      PCM WAV only, what it refuses (WAV49/GSM in a `.WAV`, …) goes to the first ffmpeg of 2–3.
 *   2. `ffmpeg` on the PATH (Debian's `ffmpeg`, with libmp3lame).
 *   3. the ffmpeg shipped by the npm package `@ffmpeg-installer/ffmpeg` (an optionalDependency, so `npm ci` on a
 *      PBX box with neither of the above installs a static build of it).
 *   4. none: recordings are linked as recorded (WAV; Kommo's player may not play it).
 *
 * The system's programs come first because an operator who installed them chose them (and their updates come
 * with the distribution's); the npm build is the fallback that makes a fresh machine work.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, isAbsolute, join } from 'node:path';

export type Mp3EncoderSource = 'system lame' | 'system ffmpeg' | 'npm ffmpeg' | 'none';

/** The decision: plain data (it crosses to the sandbox child). */
export interface Mp3Encoder {
  source: Mp3EncoderSource;
  /** lame's path: tried first, for PCM WAV. */
  lame: string | null;
  /** ffmpeg's path: for what lame refuses, or the encoder itself when there is no lame. */
  ffmpeg: string | null;
}

export interface EncoderLookup {
  /** The PATH searched for `lame` and `ffmpeg`. Default: process.env.PATH. */
  path?: string;
  /** The npm-shipped ffmpeg's path, or null when the package is not installed. Default: npmFfmpegPath. */
  npmFfmpeg?: () => string | null;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The first executable `name` in the PATH's folders (relative folders ignored, as a service's PATH should be), or null. */
export function findOnPath(name: string, path: string | undefined): string | null {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const file = join(dir, name);
    if (executable(file)) return file;
  }
  return null;
}

/** The ffmpeg of `@ffmpeg-installer/ffmpeg` (resolved from this checkout's node_modules), or null when it is not installed. */
export function npmFfmpegPath(): string | null {
  try {
    const { path } = createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string };
    return executable(path) ? path : null;
  } catch {
    // not installed (an optional dependency), or no build for this platform: the package throws a string then
    return null;
  }
}

/** Decides the encoder, in the order of this file's comment. */
export function chooseMp3Encoder(o: EncoderLookup = {}): Mp3Encoder {
  const path = o.path ?? process.env.PATH;
  const lame = findOnPath('lame', path);
  const systemFfmpeg = findOnPath('ffmpeg', path);
  const ffmpeg = systemFfmpeg ?? (o.npmFfmpeg ?? npmFfmpegPath)();
  if (lame) return { source: 'system lame', lame, ffmpeg };
  if (systemFfmpeg) return { source: 'system ffmpeg', lame: null, ffmpeg: systemFfmpeg };
  if (ffmpeg) return { source: 'npm ffmpeg', lame: null, ffmpeg };
  return { source: 'none', lame: null, ffmpeg: null };
}

/** One line for the start-up log and `hookline start`. */
export function describeMp3Encoder(e: Mp3Encoder): string {
  switch (e.source) {
    case 'system lame':
      return `MP3 encoder: lame (${e.lame}); ${e.ffmpeg ? `ffmpeg (${e.ffmpeg}) for what lame refuses` : 'no ffmpeg for what lame refuses (WAV49/GSM): those are linked as recorded'}`;
    case 'system ffmpeg':
      return `MP3 encoder: ffmpeg (${e.ffmpeg})`;
    case 'npm ffmpeg':
      return `MP3 encoder: ffmpeg of the npm package @ffmpeg-installer/ffmpeg (${e.ffmpeg}); neither lame nor ffmpeg is on the PATH`;
    case 'none':
      return 'MP3 encoder: none (no lame or ffmpeg on the PATH, and the npm package @ffmpeg-installer/ffmpeg is not installed): recordings are linked as recorded (WAV)';
  }
}
