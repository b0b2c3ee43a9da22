/**
 * The codes of scripts' capabilities (issue 19, capabilities/): what a script's `fetch`, `kommo.request` or
 * `store` call rejects with (the Error's `code`). Kept in their own file, spread into the one catalogue by
 * contracts/errors.ts, so docs/errors.md and the editor's typings list them. None is a script failure by
 * itself: a script may catch them; uncaught, the invocation fails with SCRIPT_ERROR naming the code.
 */
import type { ErrorParams } from './errors.ts';

interface CapabilityEntry {
  what: string;
  message: (p: ErrorParams) => string;
  hint: (p: ErrorParams) => string;
  scriptFailure: false;
}

const detail = (p: ErrorParams) => (p.detail ? `: ${p.detail}` : '');

export const capabilityErrors = {
  CAPABILITY_NOT_GRANTED: {
    what: 'A script called fetch, kommo.request or store for something its hook is not granted (a URL no pattern allows, a Kommo write route, a store not enabled).',
    message: (p) => `the call is not granted${detail(p)}`,
    hint: (p) => `Grant it in the config under hooks.${p.hook ?? '<hook>'}: fetch.allow (URL patterns), kommo.write ("METHOD /api/v4/path" routes) or store ({}). Nothing is ambient.`,
    scriptFailure: false,
  },
  FETCH_REFUSED: {
    what: 'A fetch was refused for where it leads: a loopback, private, link-local or metadata address (by literal or by what the name resolves to), user:password@ in the URL, or a scheme other than http(s).',
    message: (p) => `the fetch was refused${detail(p)}`,
    hint: () => 'Such addresses are reached only when a fetch.allow pattern names the address itself (e.g. "http://10.0.0.5:8080/*"); send credentials in a header, not in the URL.',
    scriptFailure: false,
  },
  FETCH_TOO_LARGE: {
    what: "A fetch's request body or response went over the grant's maxRequestBytes / maxResponseBytes (the response is cut off as it arrives).",
    message: (p) => `the fetch went over its size limit${detail(p)}`,
    hint: (p) => `Raise hooks.${p.hook ?? '<hook>'}.fetch.maxResponseBytes / maxRequestBytes, or ask the server for less.`,
    scriptFailure: false,
  },
  FETCH_TIMEOUT: {
    what: "A fetch got no full answer within the grant's timeoutMs or the time left in the hook's own timeout, or the invocation ended first.",
    message: (p) => `the fetch timed out${detail(p)}`,
    hint: (p) => `Raise hooks.${p.hook ?? '<hook>'}.fetch.timeoutMs (and the hook's timeoutMs), or make the receiver answer sooner; a fetch never outlives its invocation.`,
    scriptFailure: false,
  },
  FETCH_FAILED: {
    what: 'A fetch could not be carried out: the name did not resolve, the connection failed or broke off, too many redirects.',
    message: (p) => `the fetch failed${detail(p)}`,
    hint: () => 'Check that the receiver is up and reachable from the hookline host; the invocation log names the URL (query values left out).',
    scriptFailure: false,
  },
  CAPABILITY_LIMIT: {
    what: "A script made more capability calls in one invocation than allowed (fetch: the grant's maxRequests; kommo.request: 10; store: 100).",
    message: (p) => `too many calls in one invocation${detail(p)}`,
    hint: (p) => `Make fewer calls per invocation, or raise hooks.${p.hook ?? '<hook>'}.fetch.maxRequests.`,
    scriptFailure: false,
  },
  NOT_IN_CAPTURE: {
    what: 'A replay, dry run or shadow run met a read (GET fetch, Kommo read, store.get) that the capture did not record: nothing is ever sent from those, so there is no answer to give.',
    message: (p) => `the call is not in this capture${detail(p)}`,
    hint: () => 'Replay with captures made since the script began to make this call, or let the script handle the error (it only happens in replays).',
    scriptFailure: false,
  },
  KOMMO_REQUEST_FAILED: {
    what: "A script's kommo.request got an error from Kommo (after the client's retries): the Kommo code and message are in the text.",
    message: (p) => `the Kommo request failed${detail(p)}`,
    hint: () => 'See the KOMMO_* code in the message (docs/errors.md); the request went through hookline’s client, its token and rate limit.',
    scriptFailure: false,
  },
  STORE_LIMIT: {
    what: "A store.set went over the grant's maxValueBytes or maxKeys, or the hook's store file could not be read.",
    message: (p) => `the store refused the write${detail(p)}`,
    hint: (p) => `Store less, delete keys (set them to null) or give them ttlSeconds, or raise hooks.${p.hook ?? '<hook>'}.store.maxKeys / maxValueBytes.`,
    scriptFailure: false,
  },
  CAPABILITY_BAD_ARGUMENT: {
    what: 'A capability call had arguments it cannot take: a URL that is not absolute, a non-string body or header, a Kommo path outside /api/v4/, a bad store key.',
    message: (p) => `a capability call had a bad argument${detail(p)}`,
    hint: () => 'See the editor typings (fetch, kommo.request, store) and docs/hooks.md for what each call takes.',
    scriptFailure: false,
  },
} satisfies Record<string, CapabilityEntry>;
