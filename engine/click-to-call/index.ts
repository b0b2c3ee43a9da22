/**
 * @module engine/click-to-call — POST /api/click-to-call from a Kommo widget: bearer token, Kommo user →
 * extension, process_originate_params, AMI Originate. See docs/design/click-to-call.md.
 */
export { createClickToCall, type ClickToCall, type ClickToCallOptions, type ClickResult } from './click-to-call.ts';
export { createExtensionMap, type ExtensionMap, type ExtensionMapOptions } from './extensions.ts';
export { checkRequest, controlCharAt, DEFAULT_DIALABLE, type ClickRequest } from './request.ts';
