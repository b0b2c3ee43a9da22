/**
 * The codes of the service around the scripts: the AMI connection and the AMI byte stream, the call tracker,
 * the configuration, the editor's and the status page's HTTP answers, and the demo. The modules compose their
 * own messages (they know the host, the port, the linkedid); this table gives each code its one-line meaning
 * and what to do, for docs/errors.md, and the modules' code types are drawn from it (`Extract<ErrorCode, …>`),
 * so a code that is not listed here does not type-check (tests/typecheck.test.ts). None is a script failure.
 */
import type { ErrorParams } from './errors.ts';

interface ServiceEntry {
  what: string;
  message: (p: ErrorParams) => string;
  hint: (p: ErrorParams) => string;
  scriptFailure: false;
}

const said = (what: string) => (p: ErrorParams) => (p.detail ? `${what}: ${p.detail}` : what);
const AMI_CONF = 'the [hookline] user in /etc/asterisk/manager.conf (README "Connecting Asterisk")';

export const serviceErrors = {
  // ---- the AMI connection (engine/ami): in the log, and in `disconnected` events ----
  AMI_CONNECT_FAILED: {
    what: 'hookline could not open a TCP connection to Asterisk\'s manager port (refused, unreachable). It keeps trying, with backoff.',
    message: said('cannot connect to AMI'),
    hint: () => `Check ami.host and ami.port in the config, that manager.conf has enabled = yes and binds an address hookline can reach, and any firewall between them.`,
    scriptFailure: false,
  },
  AMI_LOGIN_FAILED: {
    what: 'Asterisk refused the AMI login (wrong username or secret, or the user may not connect from this address). hookline keeps trying.',
    message: said('the AMI login was refused'),
    hint: () => `Make ami.username and ami.secret match ${AMI_CONF}, and its permit= lines allow hookline's address; then asterisk -rx "manager reload".`,
    scriptFailure: false,
  },
  AMI_LOGIN_TIMEOUT: {
    what: 'Asterisk accepted the TCP connection but sent no banner or login answer in time (ami.loginTimeoutMs). hookline tries again.',
    message: said('AMI did not answer the login in time'),
    hint: () => 'Check that ami.port is the manager port (5038 by default), not SIP or HTTP, and that Asterisk is not overloaded.',
    scriptFailure: false,
  },
  AMI_CONNECTION_LOST: {
    what: 'Asterisk closed the AMI connection, or the socket failed (an Asterisk restart, a network cut). hookline reconnects and resynchronises the calls in flight.',
    message: said('the AMI connection was lost'),
    hint: () => 'Nothing to do if it reconnects; if it repeats, look at the Asterisk log for why it drops manager sessions.',
    scriptFailure: false,
  },
  AMI_PING_TIMEOUT: {
    what: 'The AMI connection was taken as dead: a Ping got no answer and nothing else arrived, or several Pings in a row went unanswered while events still came. hookline reconnects.',
    message: said('AMI did not answer Pings'),
    hint: () => 'Nothing to do if it reconnects; if it repeats, check the network between hookline and Asterisk and the load of Asterisk.',
    scriptFailure: false,
  },
  AMI_NOT_CONNECTED: {
    what: 'An AMI action (click-to-call\'s Originate, a channel list) was asked for while hookline is not logged in to Asterisk. Nothing was sent.',
    message: said('AMI is not connected'),
    hint: () => 'Wait for the connection (the log says "AMI logged in") and try again; see the AMI_CONNECT_FAILED or AMI_LOGIN_FAILED lines for why it is down.',
    scriptFailure: false,
  },
  AMI_DISCONNECTED: {
    what: 'The AMI connection ended while an action waited for its answer; whether Asterisk carried it out is unknown.',
    message: said('the AMI connection ended before the answer'),
    hint: () => 'Try again once reconnected; for click-to-call, look at the phone before clicking again.',
    scriptFailure: false,
  },
  AMI_CLOSED: {
    what: 'An AMI action was asked for after hookline began to stop.',
    message: said('the AMI client is closed'),
    hint: () => 'Nothing to do: hookline is stopping.',
    scriptFailure: false,
  },
  AMI_TIMEOUT: {
    what: 'Asterisk did not answer an AMI action within its time limit.',
    message: said('no answer from AMI in time'),
    hint: () => 'Check the load of Asterisk; the action may still have been carried out.',
    scriptFailure: false,
  },
  AMI_BAD_ACTION: {
    what: 'An AMI action could not be sent as asked (a CR or LF in a value, a bad header name, no Action, an ActionID in use). Nothing was sent.',
    message: said('the AMI action cannot be sent'),
    hint: () => 'Remove line breaks and control characters from the values (for click-to-call: from process_originate_params\'s output).',
    scriptFailure: false,
  },
  AMI_ACTION_ERROR: {
    what: 'Asterisk answered an AMI action with Response: Error (its message is quoted).',
    message: said('Asterisk refused the action'),
    hint: () => `Read Asterisk's message; "Permission denied" means the manager user lacks a class (for Originate: write = originate in ${AMI_CONF}).`,
    scriptFailure: false,
  },
  AMI_LISTENER_THREW: {
    what: 'A part of hookline that listens to AMI events threw; the AMI client went on with the next event.',
    message: said('an AMI listener threw'),
    hint: () => 'This is a bug in hookline: report it with the log line (it carries the error).',
    scriptFailure: false,
  },
  // ---- the AMI byte stream (engine/ami parser): logged once each, parsing goes on ----
  AMI_INVALID_UTF8: {
    what: 'Bytes in the AMI stream were not valid UTF-8; they were replaced by U+FFFD and the event kept.',
    message: said('invalid UTF-8 in the AMI stream'),
    hint: () => 'Usually a caller name in another encoding; set the PBX\'s caller ID names in UTF-8.',
    scriptFailure: false,
  },
  AMI_LINE_TOO_LONG: {
    what: 'A line of the AMI stream was longer than the limit (64 KiB); its block was dropped.',
    message: said('an AMI line was too long'),
    hint: () => 'Look for a dialplan variable or a UserEvent that carries a very long value.',
    scriptFailure: false,
  },
  AMI_BLOCK_TOO_LARGE: {
    what: 'A block of the AMI stream was larger than the limit (1 MiB); it was dropped.',
    message: said('an AMI block was too large'),
    hint: () => 'Look for an event with very many headers (a huge UserEvent, a Command output).',
    scriptFailure: false,
  },
  AMI_LINE_WITHOUT_COLON: {
    what: 'A line of an AMI block had no "Name: value" shape; the line was skipped.',
    message: said('an AMI line without a colon'),
    hint: () => 'Usually harmless; if it repeats, check what else writes to the manager port.',
    scriptFailure: false,
  },
  AMI_BAD_HEADER_NAME: {
    what: 'A header name in the AMI stream had characters a header name cannot have; the line was skipped.',
    message: said('a bad AMI header name'),
    hint: () => 'Usually harmless; if it repeats, check what else writes to the manager port.',
    scriptFailure: false,
  },
  AMI_BARE_LF: {
    what: 'A value in the AMI stream held a line feed without a carriage return; it was kept in the value.',
    message: said('a bare line feed in an AMI value'),
    hint: () => 'Usually a multi-line variable set in the dialplan; nothing to do.',
    scriptFailure: false,
  },
  AMI_NO_EVENT_OR_RESPONSE: {
    what: 'An AMI block carried neither Event nor Response; it was dropped.',
    message: said('an AMI block without Event or Response'),
    hint: () => 'Usually harmless; if it repeats, check that ami.port is Asterisk\'s manager port.',
    scriptFailure: false,
  },
  AMI_TRUNCATED: {
    what: 'The AMI stream ended in the middle of a block (the connection closed); the part was dropped.',
    message: said('the AMI stream ended inside a block'),
    hint: () => 'Nothing to do: after the reconnect the calls in flight are resynchronised.',
    scriptFailure: false,
  },
  // ---- the call tracker (engine/tracker): logged with the call's linkedid ----
  TRACKER_UNKNOWN_CALL: {
    what: 'The first event seen for a call was not its start (hookline started, or reconnected, mid-call); it is followed from there and flagged.',
    message: said('a call was first seen mid-way'),
    hint: () => 'Nothing to do; the call is registered with what was seen (extra.hookline_joined = "midcall").',
    scriptFailure: false,
  },
  TRACKER_LATE_EVENT: {
    what: 'An event arrived for a call that had already ended; it was ignored (reported once per call).',
    message: said('an event arrived after its call ended'),
    hint: () => 'Nothing to do unless it repeats for many calls: then report it with the capture (hookline calls <capture>).',
    scriptFailure: false,
  },
  TRACKER_RESYNC_CLOSED: {
    what: 'After an AMI reconnect, a call (or a channel of one) that Asterisk no longer lists was closed, flagged, and still registered.',
    message: said('a call was closed after a reconnect'),
    hint: () => 'Nothing to do; its end time is when hookline noticed (extra.hookline_closed_by = "resync").',
    scriptFailure: false,
  },
  TRACKER_TRUNK_GUESSED: {
    what: 'No trunk is configured (pbx.trunks is empty), so hookline took an endpoint for a trunk from the traffic: its channels enter an inbound context, it placed a call from an outside number that is not its own account, or it was dialled with the outside number in its dial string. Said once per endpoint.',
    message: said('an endpoint was taken for a trunk'),
    hint: () => 'If it is right, name it in the configuration (pbx.trunks, e.g. ["SIP/provider"]) so nothing is guessed; if it is a phone, name your real trunks there.',
    scriptFailure: false,
  },
  TRACKER_HANDLER_FAILED: {
    what: 'Following one call failed on an event; that call was closed as best known and still registered, the others went on.',
    message: said('following a call failed'),
    hint: () => 'Report it with the log line and, if you can, the capture of the call (extra.hookline_error holds the error).',
    scriptFailure: false,
  },
  // ---- the configuration ----
  CONFIG_UNREADABLE: {
    what: 'The configuration file could not be read or is not JSON. Nothing was started (hookline start exits 2; hookline config check exits 1).',
    message: said('the configuration file cannot be read'),
    hint: () => 'Fix the file named in the message (hookline config check --config <file> lists every problem), or start without --config to run on defaults.',
    scriptFailure: false,
  },
  CONFIG_INVALID: {
    what: 'The configuration has values of the wrong kind, unknown keys, or misses a required key; every problem is listed with its path, what was expected and what was found. Nothing was started (hookline start exits 2; hookline config check exits 1).',
    message: said('the configuration is not valid'),
    hint: () => 'Fix each listed path (docs/config.md describes every key; config/hookline.config.schema.json gives editors completion), then run hookline config check again.',
    scriptFailure: false,
  },
  // ---- the editor's and the status page's HTTP answers ----
  UNAUTHORIZED: {
    what: 'An editor API request came without a valid session (never logged in, logged out, or the session expired).',
    message: said('log in first'),
    hint: () => 'Log in again (POST /api/login, or reload the editor page).',
    scriptFailure: false,
  },
  BAD_LOGIN: {
    what: 'The editor login was refused: wrong user name or password.',
    message: said('wrong user name or password'),
    hint: () => 'The admin password was printed at the first start; to set a new one, run hookline admin password (as the user hookline runs as) on the machine it runs on.',
    scriptFailure: false,
  },
  TOO_MANY_ATTEMPTS: {
    what: 'Too many failed editor logins from one address (or IPv6 /64) within a minute; the answer is 429 with Retry-After.',
    message: said('too many failed logins'),
    hint: () => 'Wait the seconds Retry-After gives and log in again.',
    scriptFailure: false,
  },
  BAD_REQUEST: {
    what: 'An editor API request was refused: its body does not have the shape the route takes (a missing or unknown field, a value of the wrong type).',
    message: said('the request is not valid'),
    hint: () => 'Send JSON of the shape the route documents (README, docs/DESIGN.md); the message names the field.',
    scriptFailure: false,
  },
  JSON_REQUIRED: {
    what: 'A state-changing editor route was called with a body that is not application/json (a defence against cross-site forms).',
    message: said('state-changing routes take application/json only'),
    hint: () => 'Send the body as JSON with Content-Type: application/json.',
    scriptFailure: false,
  },
  HOST_NOT_ALLOWED: {
    what: 'A request named a host (Host, or X-Forwarded-Host from a proxy in editor.trustProxy) that hookline is not configured for, and was refused with 421: a defence against DNS rebinding, where a page on another name that resolves to hookline reaches it from a browser. Signed recording links and click-to-call (bearer token) are answered whatever the host.',
    message: said('requests for this host are refused'),
    hint: () => 'If hookline is reached under that name, add it to editor.hosts in the config and restart (loopback names, IP addresses, editor.host and the host of recordings.publicBaseUrl are answered without it); behind a reverse proxy, name the proxy in editor.trustProxy.',
    scriptFailure: false,
  },
  FOREIGN_ORIGIN: {
    what: 'An editor request came from a page on another origin and was refused (a defence against cross-site requests).',
    message: said('requests from another origin are refused'),
    hint: () => 'Use the editor from its own address; behind a proxy, pass the Host header through unchanged.',
    scriptFailure: false,
  },
  UNKNOWN_HOOK: {
    what: 'An editor route named a hook that does not exist.',
    message: said('there is no such hook'),
    hint: () => 'GET /api/hooks lists the 13 hooks.',
    scriptFailure: false,
  },
  NOT_FOUND: {
    what: 'An editor asset or route that does not exist was asked for.',
    message: said('not found'),
    hint: () => 'Reload the page: hookline may have been restarted with another build of the editor page.',
    scriptFailure: false,
  },
  URL_TOO_LONG: {
    what: 'A request\'s URL path has a part longer than any hookline route takes (the router\'s 100-character limit on a path parameter); the answer is 414 and does not repeat the URL.',
    message: said('a part of the URL path is too long'),
    hint: () => 'Check the link or the route: no hookline route takes a path part that long.',
    scriptFailure: false,
  },
  PAGE_BUILD_FAILED: {
    what: 'The editor page (Monaco and its TypeScript worker) could not be built by esbuild at start.',
    message: said('the editor page could not be built'),
    hint: () => 'See the log; node_modules may be incomplete: run npm ci again.',
    scriptFailure: false,
  },
  INTERNAL: {
    what: 'A request or a registration failed inside hookline for a reason it did not foresee; the call stays in the outbox and is tried again.',
    message: said('hookline failed inside'),
    hint: () => 'This is a bug in hookline: report it with the log line, which carries the error.',
    scriptFailure: false,
  },
  NETWORK: {
    what: 'The editor page could not reach hookline (shown in the browser).',
    message: said('hookline did not answer'),
    hint: () => 'Check that hookline is still running and reachable at the editor\'s address.',
    scriptFailure: false,
  },
  METRICS_UNAUTHORIZED: {
    what: 'GET /metrics was asked without the metrics token (metrics.token is set).',
    message: said('/metrics needs the metrics token'),
    hint: () => 'Send Authorization: Bearer <metrics.token from the configuration>.',
    scriptFailure: false,
  },
  METRICS_LOOPBACK_ONLY: {
    what: 'GET /metrics was asked from another machine while no metrics token is set (then only this host may read it).',
    message: said('/metrics answers this host only'),
    hint: () => 'Set metrics.token in the config and send it as a Bearer token, or scrape from this host.',
    scriptFailure: false,
  },
  NOT_STARTED: {
    what: 'A registration was asked of the registrar before it started (an internal ordering fault).',
    message: said('the registrar has not started'),
    hint: () => 'This is a bug in hookline: report it with the log line.',
    scriptFailure: false,
  },
  // ---- the demo (npm start with no PBX and no Kommo configured) ----
  DEMO_CAPTURES_UNREADABLE: {
    what: 'The demo\'s captured calls (demo/captures) are missing or unreadable, so the demo cannot start.',
    message: said('the demo captures cannot be read'),
    hint: () => 'The demo captures ship with hookline in demo/captures/: restore them from git (git checkout demo/captures).',
    scriptFailure: false,
  },
  DEMO_PBX_LISTEN: {
    what: 'The demo PBX could not listen on its loopback port.',
    message: said('the demo PBX cannot listen'),
    hint: () => 'Choose another port, or stop what uses it.',
    scriptFailure: false,
  },
  // ---- the local index of the Kommo account's phones (engine/phone-index): in the log ----
  PHONE_INDEX_CORRUPT: {
    what: "The phone index file in the data folder (phone-index.json) could not be read back (damaged, cut short, or edited by hand). It is built again from Kommo: one read of every contact and company, 250 a page; calls are looked up by a live search meanwhile, so none is lost or duplicated.",
    message: said('the phone index file in the data folder cannot be read; it is built again from Kommo'),
    hint: () => 'Nothing to do: the file is written again once the index is built. If it happens after every restart, check the data folder\'s disk (space, errors).',
    scriptFailure: false,
  },
} satisfies Record<string, ServiceEntry>;
