/** What `startService` takes and gives (app/service.ts), kept apart so the assembly stays readable. */
import type { CatchUp } from '../cel/index.ts';
import type { Config } from '../config/index.ts';
import type { DemoPbx } from '../demo/index.ts';
import type { HookInvoker } from '../engine/hooks/index.ts';
import type { Engine, EngineOptions } from '../engine/index.ts';
import type { Auth, HttpServer } from '../http/index.ts';
import type { Logger } from '../log/index.ts';
import type { Mp3Encoder, Runner } from '../sandbox/index.ts';
import type { Store } from '../scripts-store/index.ts';
import type { Shadows } from '../shadow/index.ts';
import type { KommoSim } from '../sim/kommo/index.ts';
import type { Status } from '../status/index.ts';
import type { PublishedScripts } from './published-scripts.ts';
import type { ServiceStories } from './stories.ts';

/** Demo account users (sim/kommo 'demo') for the demo captures' extensions. */
export const DEMO_USERS: Record<string, number> = { '201': 5_001_001, '202': 5_001_002, '203': 5_001_003, '401': 5_001_004 };

export interface ServiceOptions {
  config: Config;
  demo: boolean;
  log: Logger;
  /** Start the editor (default true). `hookline demo` runs without it. */
  editor?: boolean;
  /** Demo: the captures folder (default demo/captures) and the pace; `once` plays each capture once, fast. */
  demoPbx?: { capturesDir?: string; paceMs?: number };
  /** Override where the engine connects (tests and `hookline demo` bring their own PBX). */
  pbxOverride?: { host: string; port: number; username: string; secret: string };
  kommoRateWindowMs?: number;
  engine?: Partial<Pick<EngineOptions, 'registrar' | 'fsync'>>;
  /** Every call the tracker finished, and whether it went to the registrar. */
  onCall?: EngineOptions['onCall'];
  /** A call registered, or failed for good. */
  onOutcome?: EngineOptions['onOutcome'];
}

export interface Service {
  store: Store;
  runner: Runner;
  scripts: PublishedScripts;
  /** How every hook point runs (published version, else the contract's default), for the engine and the features. */
  hooks: HookInvoker;
  engine: Engine;
  status: Status;
  auth: Auth | null;
  /** The HTTP server: the editor and the features' routes (null with `editor: false`). */
  editor: HttpServer | null;
  demoPbx: DemoPbx | null;
  kommoSim: KommoSim | null;
  dataDir: string;
  /**
   * The demo's click-to-call token, generated at start when the demo runs without `clickToCall.token`, so that
   * click-to-call can be tried at once (the demo PBX answers an Originate with a call to the number). Else null.
   */
  demoClickToCallToken: string | null;
  /**
   * What converts recordings to MP3 (sandbox/encoder.ts: system lame, system ffmpeg, the npm-shipped ffmpeg, or
   * none: linked as recorded), or null when recordings.convertToMp3 is off.
   */
  mp3Encoder: Mp3Encoder | null;
  /** Each call's story (stories/), or null with stories.enabled false. */
  stories: ServiceStories | null;
  /** Drafts run in shadow on live calls (issue 17, item 7). */
  shadows: Shadows;
  /** Calls that ended while hookline was not following, read from CEL (null without `cel`). */
  catchUp: CatchUp | null;
  /** The Kommo start check: ok, or why calls are not registered. */
  started: Awaited<ReturnType<Engine['start']>>;
  stop(): Promise<void>;
}

