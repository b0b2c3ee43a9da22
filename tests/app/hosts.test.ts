import { describe, expect, it } from 'vitest';
import { serviceHosts } from '../../app/index.ts';
import { checkConfig } from '../../config/index.ts';

function config(raw: unknown) {
  const r = checkConfig(raw, null, {});
  if (!r.ok) throw new Error(JSON.stringify(r.error.problems));
  return r.value.config;
}

describe('the host names the service answers to (DNS rebinding, issue 15)', () => {
  it('none besides the built-in ones by default (localhost, IP addresses, editor.host: http/hosts.ts)', () => {
    expect(serviceHosts(config({}))).toEqual([]);
  });

  it('editor.hosts, and the host of recordings.publicBaseUrl, which the links in Kommo name', () => {
    expect(serviceHosts(config({ editor: { hosts: ['pbx.example.com'] }, recordings: { publicBaseUrl: 'https://rec.example.com:8443/base' } })))
      .toEqual(['pbx.example.com', 'rec.example.com']);
  });

  it.each(['http://pbx.example.com', 'pbx.example.com:8080', 'pbx example', ''])('editor.hosts refuses %j: a host name, without scheme or port', (name) => {
    const r = checkConfig({ editor: { hosts: [name] } }, null, {});
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.error.problems.map((p) => p.path)).toEqual(['editor.hosts.0']);
  });
});
