/**
 * The shapes of the store's entries and of scripts.json, written once as TypeBox schemas: the TypeScript types
 * are derived from them, and a file is checked against them when it is opened (scripts.json whole, the ring
 * logs line by line): a file that parses but has the wrong shape is reported as STORE_CORRUPT, never half-used. Hook names are stored as strings, so a file written by a
 * hookline with more hooks still opens; the types say HookName because this store only writes those.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { HookName } from '../contracts/index.ts';

const HookNameString = Type.Unsafe<HookName>(Type.String({ minLength: 1 }));
const IsoTime = Type.String({ minLength: 1, description: 'ISO 8601 time' });

export const DraftSchema = Type.Object({
  source: Type.String(),
  updatedAt: IsoTime,
  author: Type.String(),
});

export const VersionSchema = Type.Object({
  /** 1, 2, 3… per hook, never reused. */
  version: Type.Integer({ minimum: 1 }),
  time: IsoTime,
  author: Type.String(),
  message: Type.String(),
  source: Type.String(),
  /** sha256 of the source, hex: equal sources have equal hashes, so the page can say "same as v3". */
  hash: Type.String(),
  /** Set when a rollback made this version: the version whose source it copies. */
  rollbackOf: Type.Optional(Type.Integer({ minimum: 1 })),
  /**
   * Set when a rollback returned the hook to its built-in default (issue 17, item 6): this entry records it in
   * the history (its source is ""), and `published` is null from then on. Optional, so files without it open
   * as they are (no schema version change); it is never published again.
   */
  toDefault: Type.Optional(Type.Literal(true)),
});

/**
 * A test case of a hook (issue 17, item 3): an input (from a capture, a failure or typed in) and the output the
 * operator expects for it. Every replay and every publish runs the hook's cases; a publish with a failing case
 * is refused unless the operator says why. Kept with the hook, exported and imported with it.
 */
export const TestCaseSchema = Type.Object({
  /** Random, unique within the hook; an import with the same id replaces the case. */
  id: Type.String({ minLength: 1 }),
  name: Type.String(),
  input: Type.Unknown(),
  /** The data the script must return (compared as canonical JSON). */
  expected: Type.Unknown(),
  /** Date.now() inside the script (epoch ms) and the Math.random seed, as a capture pins them. */
  now: Type.Number(),
  seed: Type.Number(),
  /** Where the input came from: a capture id, a failure, or typed in ('manual'). */
  from: Type.Optional(Type.Object({ kind: Type.String(), captureId: Type.Optional(Type.String()), linkedid: Type.Optional(Type.Union([Type.String(), Type.Null()])) })),
  createdAt: IsoTime,
  author: Type.String(),
});

export const HookScriptsSchema = Type.Object({
  draft: Type.Union([DraftSchema, Type.Null()]),
  /** The version the engine runs; null: none published (the hook's default is used). */
  published: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  versions: Type.Array(VersionSchema),
  /** The hook's test cases (issue 17, item 3). Optional, so files without it open as they are (no schema version change). */
  tests: Type.Optional(Type.Array(TestCaseSchema)),
});

export const ScriptsFileSchema = Type.Object({
  schemaVersion: Type.Integer({ minimum: 1 }),
  hooks: Type.Record(Type.String(), HookScriptsSchema),
});

export const CaptureSchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  hook: HookNameString,
  /** When the engine made the call, ISO 8601. */
  time: IsoTime,
  linkedid: Type.Union([Type.String(), Type.Null()]),
  /** The input exactly as the engine handed it to the hook (a snapshot taken at capture). */
  input: Type.Unknown(),
  /** What Date.now() read inside the script (epoch ms): a replay pins Date to it. */
  now: Type.Number(),
  /** The Math.random seed: a replay uses it. */
  seed: Type.Number(),
  /**
   * The script's capability calls (fetch, kommo.request, store: issue 19) with their answers, in order: a replay
   * serves them back and sends nothing (capabilities/ `recorded` mode). Absent when the script made none.
   */
  calls: Type.Optional(Type.Array(Type.Object({
    kind: Type.String(),
    method: Type.String(),
    target: Type.String(),
    body: Type.Union([Type.String(), Type.Null()]),
    write: Type.Boolean(),
    answer: Type.Unknown(),
    ms: Type.Number(),
  }))),
});

export const FailureSchema = Type.Object({
  time: IsoTime,
  /** An error code of contracts/errors.ts (a string here, so a file with a retired or newer code still opens). */
  code: Type.String(),
  message: Type.String(),
  /** The script version that failed (a number), 'draft', or null when unknown. */
  version: Type.Union([Type.Integer(), Type.String(), Type.Null()]),
  linkedid: Type.Union([Type.String(), Type.Null()]),
});

export type Draft = Static<typeof DraftSchema>;
export type Version = Static<typeof VersionSchema>;
export type TestCase = Static<typeof TestCaseSchema>;
export type HookScripts = Static<typeof HookScriptsSchema>;
export type ScriptsFile = Static<typeof ScriptsFileSchema>;
export type Capture = Static<typeof CaptureSchema>;
export type Failure = Static<typeof FailureSchema>;
