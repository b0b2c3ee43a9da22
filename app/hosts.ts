/**
 * The host names the HTTP server answers to besides localhost, IP addresses and its listen address (http/hosts.ts,
 * against DNS rebinding): editor.hosts, and the host of recordings.publicBaseUrl, since the links Kommo's users
 * open name it (and so may the editor, reached at the same address).
 */
import type { Config } from '../config/index.ts';

export function serviceHosts(config: Pick<Config, 'editor' | 'recordings'>): string[] {
  const names = [...config.editor.hosts];
  const base = config.recordings.publicBaseUrl;
  if (base) {
    try {
      names.push(new URL(base).hostname);
    } catch {
      // The schema's pattern lets through only what starts with http(s)://; a URL that still does not parse names no host.
    }
  }
  return names;
}
