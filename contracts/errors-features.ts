/**
 * The codes of the three HTTP features beside the call engine: recording links (GET /recordings/…),
 * click-to-call (POST /api/click-to-call) and autodistribution (GET /autodistribution). Kept in their own file
 * so these features do not collide with the engine's codes; contracts/errors.ts spreads them into the one
 * catalogue, so docs/errors.md and the editor's typings list them like any other code. None is a script
 * failure: a script's own failures keep the generic codes (SCRIPT_ERROR, TIMEOUT, …).
 */
import type { ErrorParams } from './errors.ts';

interface FeatureEntry {
  what: string;
  message: (p: ErrorParams) => string;
  hint: (p: ErrorParams) => string;
  scriptFailure: false;
}

const detail = (p: ErrorParams) => (p.detail ? `: ${p.detail}` : '');

export const featureErrors = {
  RECORDING_LINK_INVALID: {
    what: 'A recording link was refused: its signature does not match (changed, cut short, or signed with another key).',
    message: (p) => `the recording link is not valid${detail(p)}`,
    hint: () =>
      'Open the recording from the call log in Kommo, which carries the link as hookline signed it. Links signed before the key in the data folder (recordings.key) was replaced are no longer valid.',
    scriptFailure: false,
  },
  RECORDING_LINK_EXPIRED: {
    what: 'A recording link was refused because it expired.',
    message: (p) => `the recording link expired${detail(p)}`,
    hint: () => 'Links expire after recordings.linkTtlHours (config). Raise it for links written from now on; the file itself is still on the PBX.',
    scriptFailure: false,
  },
  RECORDING_NOT_FOUND: {
    what: 'The recording a link or a call names is not a readable file inside the recordings folder (gone, moved, or outside the folder).',
    message: (p) => `the recording ${p.path ? JSON.stringify(p.path) : ''} is not available${detail(p)}`.replace('  ', ' '),
    hint: () =>
      'Check that the file exists under recordings.dir (config) and is readable by the user hookline runs as. Files outside that folder, or reached through a link pointing out of it, are never served.',
    scriptFailure: false,
  },
  RECORDING_BAD_RANGE: {
    what: 'A Range request asked for bytes the recording does not have (HTTP 416).',
    message: (p) => `the requested range cannot be served${detail(p)}`,
    hint: () => 'Ask for a range inside the file: the Content-Range header of the 416 answer gives its size.',
    scriptFailure: false,
  },
  RECORDING_CONVERSION_FAILED: {
    what: 'Converting a recording to MP3 failed (the encoder is missing, refused the file, or was stopped at the deadline).',
    message: (p) => `converting ${p.path ? JSON.stringify(p.path) : 'the recording'} to MP3 failed${detail(p)}`,
    hint: () =>
      'Check the MP3 encoder hookline start names (lame or ffmpeg on the PATH, else the ffmpeg of the npm package @ffmpeg-installer/ffmpeg, which npm ci installs) and that the file is a WAV Asterisk wrote. The original file is linked instead, so Kommo shows a link its player may not play.',
    scriptFailure: false,
  },
  CLICK_TO_CALL_DISABLED: {
    what: 'Click-to-call is off: no clickToCall.token is configured.',
    message: () => 'click-to-call is not configured: there is no clickToCall.token in the config',
    hint: () =>
      'Set clickToCall.token in the config (a long random string, or {"env": "HOOKLINE_C2C_TOKEN"}) and put the same token in the Kommo widget settings, then restart hookline.',
    scriptFailure: false,
  },
  CLICK_TO_CALL_UNAUTHORIZED: {
    what: 'A click-to-call request came without the right bearer token.',
    message: (p) => `the click-to-call request was refused: ${p.detail ?? 'no valid bearer token'}`,
    hint: () => 'Send Authorization: Bearer <clickToCall.token>, the token from the config (the widget settings in Kommo hold it).',
    scriptFailure: false,
  },
  CLICK_TO_CALL_TOO_MANY_ATTEMPTS: {
    what: 'A click-to-call request was refused (HTTP 429, Retry-After) because its address sent too many wrong bearer tokens within a minute (by default); its token was not checked.',
    message: (p) =>
      `too many wrong click-to-call tokens from ${String(p.address ?? 'this address')}: requests from it are refused for ${String(p.retryAfterSec ?? 'a few')} s more, without checking their token`,
    hint: () =>
      'Wait for the seconds in the Retry-After header. If the Kommo widget is the one failing, its token differs from clickToCall.token in the config: put the same token in the widget settings. Behind a reverse proxy, name it in editor.trustProxy: otherwise every request comes from the proxy\'s address, so one client sending wrong tokens blocks all.',
    scriptFailure: false,
  },
  CLICK_TO_CALL_BAD_REQUEST: {
    what: 'A click-to-call request is malformed: a field is missing, not a string or number, or holds a control character (CR/LF could inject AMI headers), or its number is not one clickToCall.dialable allows (by default digits with an optional leading +: no feature codes with * or #).',
    message: (p) => `the click-to-call request is not valid: ${p.detail ?? 'bad request'}`,
    hint: () => 'Send {"number": "<the number to call>", "user_id": <the Kommo user id>} with no control characters; nothing was sent to Asterisk.',
    scriptFailure: false,
  },
  CLICK_TO_CALL_BAD_PARAMS: {
    what: 'The Originate parameters of a click-to-call cannot be sent (a control character or an empty field), from the config templates or an extension; nothing was sent.',
    message: (p) => `the call was not placed: ${p.detail ?? 'the Originate parameters cannot be sent'}`,
    hint: () => 'Check clickToCall.channel, clickToCall.callerId and the user\'s extension in the config: no control characters, and channel must name {extension}.',
    scriptFailure: false,
  },
  CLICK_TO_CALL_UNKNOWN_USER: {
    what: 'The Kommo user of a click-to-call request has no extension.',
    message: (p) => `Kommo user ${String(p.userId ?? '?')} has no extension, so there is no phone to ring first`,
    hint: (p) =>
      `Map the user to an extension: "clickToCall.users": {"${String(p.userId ?? '<user id>')}": "101"}, or "users": {"101": ${String(p.userId ?? '<user id>')}} in the config.`,
    scriptFailure: false,
  },
  CLICK_TO_CALL_AMI_UNAVAILABLE: {
    what: 'A click-to-call could not be placed because hookline is not connected to Asterisk (AMI).',
    message: (p) => `the call was not placed: hookline is not connected to Asterisk${detail(p)}`,
    hint: () => 'hookline reconnects on its own; try again in a few seconds. If it lasts, check the ami section of the config and that Asterisk is up (see the status page).',
    scriptFailure: false,
  },
  CLICK_TO_CALL_REFUSED: {
    what: 'Asterisk refused the Originate of a click-to-call (Response: Error).',
    message: (p) => `Asterisk refused the call${detail(p)}`,
    hint: () =>
      'Check the channel, context and extension hookline sent (the log line has them): the context must exist and be allowed to dial out; the AMI user needs the originate write permission.',
    scriptFailure: false,
  },
  AUTODISTRIBUTION_FORBIDDEN: {
    what: 'GET /autodistribution was called from an address not in autodistribution.allowFrom.',
    message: (p) => `autodistribution requests from ${String(p.address ?? 'this address')} are refused`,
    hint: () => 'Add the address Asterisk calls from to autodistribution.allowFrom in the config (an address, or a CIDR block such as 10.0.0.0/24).',
    scriptFailure: false,
  },
} satisfies Record<string, FeatureEntry>;
