/**
 * The shape of one hook's contract. Each file in contracts/hooks/ exports one of these; contracts/hooks/index.ts
 * collects them in a map the compiler checks against HookName, so a missing hook is a type error.
 */
import type { Static, TObject, TSchema } from '@sinclair/typebox';

export const HOOK_NAMES = [
  'need_registration',
  'process_client_phone',
  'process_contact_creation_params',
  'process_lead_creation_params',
  'process_originate_params',
  'process_record_file_path',
  'process_task_creation_params',
  'customize_autodistribution',
  'post_registration',
  'process_contact_update_params',
  'process_lead_update_params',
  'process_unsorted_creation_params',
  'process_call_params',
] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export interface HookLimits {
  /** Wall-clock budget of the whole invocation: synchronous CPU and awaited work alike. */
  timeoutMs: number;
  /** isolated-vm memoryLimit. A soft bound: isolated-vm documents 2-3x overshoot by hostile code. */
  memoryMb: number;
  /** Largest JSON text of the script's whole return value, in bytes (UTF-8). */
  maxOutputBytes: number;
}

/** Defaults from ../shared/spec/hooks.md ("Limits, per hook, set in the config file"). */
export const DEFAULT_LIMITS: HookLimits = { timeoutMs: 1_000, memoryMb: 64, maxOutputBytes: 256 * 1024 };

export interface HookContract<I extends TObject = TObject, O extends TSchema | null = TSchema | null> {
  name: HookName;
  /** The row number in docs/hooks.md. */
  number: number;
  /** One line: what the hook lets a script change. */
  summary: string;
  /** When the engine runs it. */
  when: string;
  /** The whole input the script receives. */
  input: I;
  /** The schema of `data` the script returns; null when only `state` counts (post_registration). */
  output: O;
  /** Keys of `data` that are dropped silently, even when the script returns them. */
  readOnly: readonly string[];
  /** Unknown keys in `data` pass through to the Kommo request unchanged ("other fields can also be set"). */
  extraKeys: boolean;
  /** `null` anywhere in `data` is a contract violation (Kommo rejects null values). */
  rejectNull: boolean;
  /** What the engine goes on with when the script fails or there is none. */
  // Method syntax on purpose: a method parameter is bivariant, so a hook-specific contract fits the generic map.
  defaultData(input: Static<I>): O extends TSchema ? Static<O> : null;
  /** The same in words, for the docs. */
  defaultDescription: string;
  limits: HookLimits;
  /** Markdown: what the hook is for, with notes a script author needs. */
  docs: string;
  /** The starter script the editor offers. It must compile and pass `hookline check`. */
  template: string;
  /**
   * Declarations of the host capabilities the sandbox offers to this hook alone (sandbox/capabilities.ts), added
   * to this hook's typings so the editor and `hookline check` know them.
   */
  globals?: string;
  /** A realistic input, used by the docs, the CLI examples and the tests. It must validate against `input`. */
  exampleInput: Static<I>;
}
