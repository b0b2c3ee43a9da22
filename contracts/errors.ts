/**
 * The error catalogue: every code a user can see (CLI, editor, logs), with its message template and a
 * hint that says what to do. docs/errors.md and the editor's typings are derived from this table, and
 * tests/contracts/errors.test.ts fails when they drift. A retired code stays retired: never reuse a name.
 */

import { capabilityErrors } from './errors-capabilities.ts';
import { celErrors } from './errors-cel.ts';
import { featureErrors } from './errors-features.ts';
import { serviceErrors } from './errors-service.ts';
import { storyErrors } from './errors-stories.ts';

/** Where an error happened. Every part is optional; the message names the parts that are known. */
export interface ErrorWhere {
  hook?: string;
  version?: number | string;
  linkedid?: string;
  file?: string;
  line?: number;
  column?: number;
}

/** Values that fill a message template. */
export interface ErrorParams extends ErrorWhere {
  detail?: string;
  timeoutMs?: number;
  memoryMb?: number;
  limitBytes?: number;
  sizeBytes?: number;
  state?: string;
  path?: string;
  [key: string]: unknown;
}

interface CatalogueEntry {
  /** One line for the docs table: what happened. */
  what: string;
  /** The message: what went wrong and where. */
  message: (p: ErrorParams) => string;
  /** What to do about it. */
  hint: (p: ErrorParams) => string;
  /** A failure of a script (counted and recorded), or not (NO_SCRIPT, engine and input errors). */
  scriptFailure: boolean;
}

/** "process_client_phone (script v7) on call 1715000100.2", with the unknown parts left out. */
export function describeWhere(p: ErrorWhere): string {
  let s = p.hook ?? 'the script';
  if (typeof p.version === 'number' || (typeof p.version === 'string' && /^\d+$/.test(p.version))) s += ` (script v${p.version})`;
  else if (p.version) s += ` (script ${p.version})`;
  if (p.linkedid) s += ` on call ${p.linkedid}`;
  return s;
}

function at(p: ErrorWhere): string {
  if (!p.file) return '';
  let s = ` at ${p.file}`;
  if (p.line !== undefined) s += `:${p.line}`;
  if (p.line !== undefined && p.column !== undefined) s += `:${p.column}`;
  return s;
}

const limitsKey = (p: ErrorParams) => (p.hook ? `hooks.${p.hook}` : 'hooks.<hook>');

/** "POST /api/v4/calls on call 1715000100.2": a Kommo route and the call it was for. */
const attemptsText = (p: ErrorParams) => (p.attempts === 1 ? '1 attempt' : `${String(p.attempts ?? '?')} attempts`);
/** EDITOR_LISTEN_FAILED's last sentence: the port is probed first (app/listen-probe.ts); `late` when it was taken during the start. */
const changed = (p: ErrorParams) =>
  p.late
    ? ' The port was free when hookline began to start and was taken meanwhile: what had started was stopped again; the data folder was opened (and created if it was missing).'
    : ' hookline did not start; nothing was changed.';
const kommoWhere = (p: ErrorParams) => `${String(p.route ?? 'a request')}${p.linkedid ? ` on call ${p.linkedid}` : ''}`;

export const errorCatalogue = {
  COMPILE_ERROR: {
    what: 'The script could not be compiled (TypeScript syntax, a forbidden import, no default export).',
    message: (p) => `${describeWhere(p)} did not compile${at(p)}: ${p.detail ?? 'unknown error'}`,
    hint: () =>
      'Fix the script at the position shown. Scripts are self-contained: they cannot import Node modules, packages or other files; everything they need arrives in the input.',
    scriptFailure: true,
  },
  SCRIPT_ERROR: {
    what: 'The script threw an exception or returned a rejected promise.',
    message: (p) => `${describeWhere(p)} threw${at(p)}: ${p.detail ?? 'unknown error'}`,
    hint: () =>
      'Read the error and the logs; replay the captured input in the editor to reproduce it. The engine went on with the default data.',
    scriptFailure: true,
  },
  TIMEOUT: {
    what: 'The script did not finish within its time limit (CPU work and awaited promises alike).',
    message: (p) => `${describeWhere(p)} did not finish within ${p.timeoutMs ?? '?'} ms`,
    hint: (p) =>
      `Check that every awaited promise settles and that no loop runs forever; raise ${limitsKey(p)}.timeoutMs in the config if the work is slow by nature.`,
    scriptFailure: true,
  },
  MEMORY_LIMIT: {
    what: 'The script used more memory than its limit and was stopped.',
    message: (p) => `${describeWhere(p)} used more than its memory limit of ${p.memoryMb ?? '?'} MB and was stopped`,
    hint: (p) =>
      `Look for data that grows without bound (arrays, strings, recursion); raise ${limitsKey(p)}.memoryMb in the config only if the script really needs it.`,
    scriptFailure: true,
  },
  CONTRACT_VIOLATION: {
    what: "The script's data does not match the hook's contract (type, required key, unknown key, length).",
    message: (p) => `${describeWhere(p)} returned data that breaks the contract: ${p.detail ?? 'invalid data'}`,
    hint: (p) =>
      `Return data of the shape the editor's IntelliSense shows for ${p.hook ?? 'this hook'}; see docs/hooks.md.`,
    scriptFailure: true,
  },
  BAD_STATE: {
    what: 'The script returned something other than {data, state: "success"}.',
    message: (p) =>
      `${describeWhere(p)} returned state ${p.state ?? 'undefined'} instead of "success"`,
    hint: () =>
      'Return { data, state: "success" } from the default export. Any other state means the script failed, and the engine goes on with the default data.',
    scriptFailure: true,
  },
  OUTPUT_NOT_JSON: {
    what: 'The returned value is not plain JSON (a cycle, a BigInt, a function, a getter, toJSON, undefined).',
    message: (p) => `${describeWhere(p)} returned a value that is not plain JSON: ${p.detail ?? 'not serializable'}`,
    hint: () =>
      'Return only plain objects, arrays, strings, finite numbers, booleans and null; no functions, getters, toJSON, BigInt, undefined or cycles.',
    scriptFailure: true,
  },
  OUTPUT_TOO_LARGE: {
    what: "The returned JSON is larger than the hook's output limit.",
    message: (p) =>
      `${describeWhere(p)} returned ${p.sizeBytes ?? '?'} bytes of JSON, over the limit of ${p.limitBytes ?? '?'} bytes`,
    hint: (p) =>
      `Return only the fields the hook needs; raise ${limitsKey(p)}.maxOutputBytes in the config if a large output is intended.`,
    scriptFailure: true,
  },
  NO_SCRIPT: {
    what: 'The hook has no published script; the default data is used. Not a failure.',
    message: (p) => `${p.hook ?? 'this hook'} has no published script; the default data was used`,
    hint: (p) => `Write and publish a script for ${p.hook ?? 'the hook'} in the editor if you want to change this step.`,
    scriptFailure: false,
  },
  SANDBOX_CRASH: {
    what: 'The sandbox process died during the invocation (a native crash or V8 running out of memory), or could not be started; the next invocation starts it again.',
    // notStarted: no child could be started (its bundle file not written, or spawning failed), sandbox/supervisor.ts.
    message: (p) =>
      p.notStarted
        ? `the sandbox process could not be started to run ${describeWhere(p)}: ${p.detail ?? 'no detail'}`
        : `the sandbox process died while running ${describeWhere(p)}: ${p.detail ?? 'no detail'}`,
    hint: (p) =>
      p.notStarted
        ? 'The default data was used; the next invocation tries to start the sandbox again. Check what the message names: that the folder of the sandbox child file (the data folder for the service, the OS temp folder for commands) exists or can be created, is writable, has room and belongs to the user running hookline, and that the Node executable exists and runs.'
        : `The engine restarted the sandbox and went on with the default data. If it repeats, look for runaway memory use in the script and lower ${limitsKey(p)}.memoryMb.`,
    scriptFailure: true,
  },
  QUARANTINED: {
    what: 'The published version timed out or ran out of memory too many times in a row; it is suspended for a while and its invocations take the failure policy at once, without running.',
    message: (p) =>
      `${describeWhere(p)} is quarantined until ${String(p.until ?? '?')} after ${String(p.failures ?? '?')} ${String(p.reason ?? 'TIMEOUT')} failures in a row; it did not run and the failure policy was used`,
    hint: (p) =>
      `Replay ${p.hook ?? 'the hook'}'s captured inputs in the editor to see why it ${p.reason === 'MEMORY_LIMIT' ? 'runs out of memory' : 'does not finish'}, then publish a fixed version or roll back: either lifts the quarantine at once. Its length and the failures that start it are set by the config's quarantine section.`,
    scriptFailure: true,
  },
  INVALID_INPUT: {
    what: "The input handed to a hook does not match the hook's input contract.",
    message: (p) => `the input for ${describeWhere(p)} breaks the input contract: ${p.detail ?? 'invalid input'}`,
    hint: (p) =>
      p.file
        ? `Fix ${p.file} so that it matches the input type of ${p.hook ?? 'the hook'} (see docs/hooks.md).`
        : 'This is a bug in hookline: please report it with the log line. The default data was used.',
    scriptFailure: false,
  },
  STORE_CORRUPT: {
    what: 'A store file under the data folder is not valid JSON or not in the expected shape; hookline did not change it.',
    message: (p) => `the store file ${p.path ?? '?'} cannot be read as hookline data: ${p.detail ?? 'invalid'}`,
    hint: (p) =>
      typeof p.remedy === 'string'
        ? `hookline left the file as it is. ${p.remedy}`
        : `hookline left the file as it is. Restore the last good state from ${p.backup ?? 'its .bak copy beside it'} (copy it over the file), or move the file and its backup away to start that part of the store empty; then start hookline again.`,
    scriptFailure: false,
  },
  STORE_UNREADABLE: {
    what: 'A store file or folder could not be read or written (permissions, a folder in its place, a full disk).',
    message: (p) => `the store file ${p.path ?? '?'} cannot be used: ${p.detail ?? 'unreadable'}`,
    hint: () => 'Check that the data folder (config dataDir) exists, is writable by the user hookline runs as, and has free space.',
    scriptFailure: false,
  },
  STORE_MISSING: {
    what: 'A store file is missing while its backup is still there; hookline does not start that part of the store empty on its own.',
    message: (p) => `the store file ${p.path ?? '?'} is missing, but its backup ${String(p.backup ?? '?')} is there`,
    hint: (p) =>
      `If the file was lost, restore it from the backup (copy ${String(p.backup ?? 'the .bak file')} to ${p.path ?? 'the file'}). To start that part of the store empty on purpose, move the backup away too. Then start hookline again.`,
    scriptFailure: false,
  },
  STORE_TOO_NEW: {
    what: 'A store file was written by a newer hookline (a higher schema version); it is not downgraded.',
    message: (p) => `the store file ${p.path ?? '?'} has schema version ${String(p.found ?? '?')}, newer than this hookline understands (${String(p.expected ?? '?')})`,
    hint: () => 'Run the newer hookline that wrote it, or restore a backup made by this version.',
    scriptFailure: false,
  },
  STORE_IN_USE: {
    what: 'Another hookline (or another store in this process) already writes to this data folder; two writers would overwrite each other, so this one did not start.',
    message: (p) => `the data folder ${p.path ?? '?'} is in use by ${String(p.holder ?? 'another hookline')}`,
    hint: (p) =>
      `Stop that hookline first (systemctl stop hookline, or Ctrl-C where it runs), or give this one its own data folder (config dataDir). To read the scripts while it runs, use \`hookline replay\` (it opens the store read-only). If you are sure no hookline uses the folder any more, delete ${String(p.lock ?? 'its hookline.lock file')} and start again.`,
    scriptFailure: false,
  },
  EDITOR_LISTEN_FAILED: {
    what: 'hookline did not start: the editor (and its API, click-to-call, autodistribution, metrics) could not listen on editor.host:editor.port. The port is tried before anything else, so nothing was changed (unless another program took it during the start).',
    message: (p) => `the editor cannot listen on ${String(p.host ?? '?')}:${String(p.port ?? '?')}: ${p.detail ?? 'refused'}`,
    hint: (p) =>
      p.errno === 'EADDRINUSE'
        ? `Another program (or another hookline) already listens on port ${String(p.port ?? '?')}: stop it, or set editor.port in the config to a free port.${changed(p)}`
        : p.errno === 'EADDRNOTAVAIL'
          ? `${String(p.host ?? 'editor.host')} is not an address of this machine: set editor.host in the config to one of its addresses (127.0.0.1 by default).${changed(p)}`
          : p.errno === 'EACCES'
            ? `Ports below 1024 need privileges hookline does not have: set editor.port in the config to 1024 or above (put a reverse proxy on 80/443).${changed(p)}`
            : `Check editor.host and editor.port in the config.${changed(p)}`,
    scriptFailure: false,
  },
  PUBLISH_REFUSED: {
    what: 'A version was not published because its script does not compile (or there is nothing to publish).',
    message: (p) => `${describeWhere(p)} was not published: ${p.detail ?? 'refused'}`,
    hint: () => 'Fix the draft until it compiles (the editor marks the problems), then publish again. The published version did not change.',
    scriptFailure: false,
  },
  PUBLISH_TYPE_ERRORS: {
    what: "A version was not published because its script does not type-check against the hook's contract; it would fail on the calls it runs for.",
    message: (p) => `${describeWhere(p)} was not published: ${String(p.count ?? '?')} type error(s): ${p.detail ?? ''}`,
    hint: () =>
      'Fix the errors the editor marks (or `hookline check <file> --hook <hook>` lists), then publish again. To publish as it is, send {"anyway": true} (the editor: tick "publish anyway") with a message saying why; the history records it.',
    scriptFailure: false,
  },
  PUBLISH_TESTS_FAILED: {
    what: "A version was not published because some of the hook's test cases fail on it: for a kept input, its output differs from the one expected (or it fails).",
    message: (p) => `${describeWhere(p)} was not published: ${String(p.count ?? '?')} of ${String(p.total ?? '?')} test case(s) fail: ${p.detail ?? ''}`,
    hint: () =>
      'Replay in the editor to see each failing case with its diff, then fix the script or the expected output of the case. To publish as it is, send {"anyway": true} (the editor: tick "publish anyway") with a message saying why; the history records it.',
    scriptFailure: false,
  },
  // Kommo API v4 (engine/kommo). `route` is 'POST /api/v4/calls'; the message adds the call's linkedid when known.
  KOMMO_BAD_REQUEST: {
    what: 'Kommo refused the data of a request (400, usually validation-errors); it was not retried.',
    message: (p) => `Kommo refused ${kommoWhere(p)} (400): ${p.detail ?? 'Bad Request'}`,
    hint: () =>
      'Kommo rejects the data, so sending it again would fail the same way. Read the field path and code in the detail; if a script built the data, fix the script (replay its captured input in the editor), otherwise report it with this log line.',
    scriptFailure: false,
  },
  KOMMO_ENTITY_NOT_FOUND: {
    what: 'Kommo did not add a call log because no contact or company has the number (matched by its last 10 digits).',
    message: (p) => `Kommo found no contact or company with the phone ${String(p.phone ?? '?')} for ${kommoWhere(p)}`,
    hint: () =>
      'Create the contact first, or register the call as an incoming lead (unsorted SIP). Check that the number is in E.164 form (+31…), since Kommo matches the last 10 digits.',
    scriptFailure: false,
  },
  KOMMO_UNAUTHORIZED: {
    what: 'Kommo refused the token (401): a long-lived token that expired or was revoked, or an OAuth token still refused after a refresh.',
    message: (p) => `Kommo refused the ${p.auth === 'oauth' ? 'OAuth access token' : 'long-lived token'} on ${kommoWhere(p)} (401): ${p.detail ?? 'Unauthorized'}`,
    hint: (p) =>
      p.auth === 'oauth'
        ? 'The access token was refused even after a refresh: authorise the integration again in Kommo and store the new token pair.'
        : 'Generate a new long-lived token in Kommo (Settings → Integrations → your private integration → Keys and scopes) and put it in the config; a long-lived token cannot be refreshed.',
    scriptFailure: false,
  },
  KOMMO_REFRESH_FAILED: {
    what: 'The OAuth tokens could not be refreshed (Kommo refused the refresh token, or the new pair could not be saved).',
    message: (p) => `the OAuth token refresh for ${kommoWhere(p)} failed: ${p.detail ?? 'refused'}`,
    hint: () =>
      'If Kommo refused it, the refresh token was revoked or went unused for 3 months, or the client id, secret or redirect URI changed: authorise the integration again and store the new pair. If saving failed, check that the token file is writable.',
    scriptFailure: false,
  },
  KOMMO_FORBIDDEN: {
    what: 'Kommo refused access (402 payment required, or 403 that is not an IP block).',
    message: (p) => `Kommo refused access to ${kommoWhere(p)} (${String(p.status ?? 403)}): ${p.detail ?? 'Forbidden'}`,
    hint: () => "Check the account's subscription and the rights of the user whose token hookline uses (it needs an administrator for users).",
    scriptFailure: false,
  },
  KOMMO_NOT_FOUND: {
    what: 'Kommo has no such route (404 or 405).',
    message: (p) => `Kommo has no route ${kommoWhere(p)} (${String(p.status ?? 404)}): ${p.detail ?? 'Not Found'}`,
    hint: () => 'Check kommo.baseUrl in the config: it is the account\'s own host, https://<subdomain>.kommo.com, with no path.',
    scriptFailure: false,
  },
  KOMMO_TOO_MANY_ENTITIES: {
    what: 'A request carried more entities than Kommo accepts in one request (422, limit 250).',
    message: (p) => `Kommo refused ${kommoWhere(p)} (422): ${p.detail ?? 'Limit 250 per page'}`,
    hint: () => 'This is a bug in hookline (its batches stay at 250 or fewer): please report it with this log line.',
    scriptFailure: false,
  },
  KOMMO_RATE_LIMITED: {
    what: "Kommo kept answering 429 (too many requests) after every retry.",
    message: (p) => `Kommo answered 429 (too many requests) to ${kommoWhere(p)} ${p.attempts === 1 ? 'once' : `${String(p.attempts ?? '?')} times`}`,
    hint: () =>
      "Another integration may share the account's limit, or the account's limit is below 7 requests per second: lower kommo.requestsPerSecond. The work stays queued and is retried later.",
    scriptFailure: false,
  },
  KOMMO_BLOCKED: {
    what: "Kommo blocked hookline's IP address (403 on every request after repeated 429s); requests are held back for a long pause.",
    message: (p) => `Kommo has blocked this IP address (403) on ${kommoWhere(p)}; hookline sends nothing to Kommo for ${String(p.backoffMs ?? '?')} ms`,
    hint: () =>
      "The block follows repeated 429 answers: lower kommo.requestsPerSecond and check that no other program uses the account's limit from this address. If the block lasts, ask Kommo support to lift it.",
    scriptFailure: false,
  },
  KOMMO_UNAVAILABLE: {
    what: 'Kommo answered 5xx, or the connection failed, on every attempt.',
    message: (p) => `Kommo is unavailable for ${kommoWhere(p)} after ${attemptsText(p)}: ${p.detail ?? 'no answer'}`,
    hint: () => "Check Kommo's status and the network path to the account's host. The work stays queued and is retried later.",
    scriptFailure: false,
  },
  KOMMO_TIMEOUT: {
    what: 'Kommo did not answer within the time limit on every attempt.',
    message: (p) => `Kommo did not answer ${kommoWhere(p)} within ${String(p.timeoutMs ?? '?')} ms (${attemptsText(p)})`,
    hint: () => "Check the network path to the account's host; raise kommo.timeoutMs if Kommo is slow by nature. A write that timed out may still have been done by Kommo.",
    scriptFailure: false,
  },
  KOMMO_BAD_RESPONSE: {
    what: 'Kommo answered with a body hookline cannot read (not JSON, or not the documented shape).',
    message: (p) => `Kommo answered ${kommoWhere(p)} with a body hookline cannot read (${String(p.status ?? '?')}): ${p.detail ?? 'unreadable'}`,
    hint: () => 'Check kommo.baseUrl (a proxy or a login page answers HTML); if it persists, report it with this log line.',
    scriptFailure: false,
  },
  KOMMO_NO_PHONE_FIELD: {
    what: "The account's contacts have no PHONE field with the enum WORK, so hookline does not register calls.",
    message: (p) => `Kommo's contacts have no PHONE field with the enum WORK (${p.detail ?? 'not found'}); calls are not registered`,
    hint: () => "Restore the contacts' standard Phone field (code PHONE, with the type Work) in Kommo's settings, then restart hookline.",
    scriptFailure: false,
  },
  KOMMO_UNKNOWN_USER: {
    what: 'The configuration names a Kommo user id that the account does not have; found at start, and that id is not used.',
    message: (p) => `${String(p.path ?? 'the configuration')} names Kommo user ${String(p.userId ?? '?')}, which this account does not have; ${String(p.detail ?? 'the fallback user is used instead')}`,
    hint: (p) =>
      `Put the id of an existing user at ${String(p.path ?? 'that place')} in the config (Kommo: Settings → Users, the number in a user's address; or GET /api/v4/users), then restart hookline.`,
    scriptFailure: false,
  },
  KOMMO_UNKNOWN_TASK_TYPE: {
    what: "registration.tasks.taskTypeId is not a task type of the Kommo account (Kommo predefines only 1 Follow-up and 2 Meeting; accounts add their own); found at start, and tasks are sent as 1.",
    message: (p) => `registration.tasks.taskTypeId ${String(p.taskTypeId ?? '?')} is not a task type of the Kommo account (it has ${String(p.detail ?? 'others')}); tasks are sent as 1 (Follow-up)`,
    hint: () => 'Set registration.tasks.taskTypeId to one of the account\'s task types (GET /api/v4/account?with=task_types), then restart hookline.',
    scriptFailure: false,
  },
  ...featureErrors,
  ...serviceErrors,
  ...capabilityErrors,
  ...storyErrors,
  ...celErrors,
} satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof errorCatalogue;
export const errorCodes = Object.keys(errorCatalogue) as ErrorCode[];

/** An error as a value: what users see verbatim in the CLI, the editor and the logs. */
export interface HooklineError {
  code: ErrorCode;
  message: string;
  hint: string;
  where?: ErrorWhere;
}

export function makeError(code: ErrorCode, params: ErrorParams = {}): HooklineError {
  const entry: CatalogueEntry = errorCatalogue[code];
  const where: ErrorWhere = {};
  for (const k of ['hook', 'version', 'linkedid', 'file', 'line', 'column'] as const) {
    if (params[k] !== undefined) (where as Record<string, unknown>)[k] = params[k];
  }
  const err: HooklineError = { code, message: entry.message(params), hint: entry.hint(params) };
  if (Object.keys(where).length > 0) err.where = where;
  return err;
}

export function isScriptFailure(code: ErrorCode): boolean {
  return (errorCatalogue[code] as CatalogueEntry).scriptFailure;
}
