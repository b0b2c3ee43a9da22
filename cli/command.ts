import type { Command } from 'commander';

/**
 * One hookline command. `define` adds it (with its options, help and action) to the program.
 * Exit codes: 0 success; 1 the thing checked failed (a script failure, a type error); 2 usage or input error.
 */
export interface CliCommand {
  define(program: Command): void;
}

/** Thrown by a command for a usage or input error: printed as `hookline: <message>` and exit 2. */
export class UsageError extends Error {}
