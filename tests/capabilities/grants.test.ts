/** Issue 19: grant patterns, URL normalisation before matching, address ranges, Kommo routes (pure, no I/O). */
import { describe, expect, it } from 'vitest';
import { grantProblems, parsePattern, parseRoute, redactUrl, refusedRange } from '../../capabilities/index.ts';
import { matchPattern } from '../../capabilities/grants.ts';
import { checkConfig } from '../../config/index.ts';

const allows = (pattern: string, url: string) => matchPattern(parsePattern(pattern), new URL(url));

describe('grants', () => {
  it('https only unless the pattern says http; ports and hosts exactly; * a path prefix or a subdomain', () => {
    expect(allows('https://hooks.example.com/in/*', 'https://hooks.example.com/in/calls')).toBe(true);
    expect(allows('https://hooks.example.com/in/*', 'http://hooks.example.com/in/calls')).toBe(false);
    expect(allows('https://hooks.example.com/in/*', 'https://hooks.example.com:8443/in/calls')).toBe(false);
    expect(allows('https://hooks.example.com/in/*', 'https://hooks.example.com/out')).toBe(false);
    expect(allows('https://hooks.example.com/in/*', 'https://hooks.example.com.evil.net/in/x')).toBe(false);
    expect(allows('https://hooks.example.com/in', 'https://hooks.example.com/in/x')).toBe(false);
    expect(allows('https://*.example.com/*', 'https://a.b.example.com/x')).toBe(true);
    expect(allows('https://*.example.com/*', 'https://example.com/x')).toBe(false);
    expect(allows('https://*.example.com/*', 'https://badexample.com/x')).toBe(false);
  });

  it('URLs are normalised before matching: case, dot segments, encoded dots, IPv4 forms', () => {
    expect(allows('https://hooks.example.com/in/*', 'https://HOOKS.Example.COM/in/../in/x')).toBe(true);
    expect(allows('https://hooks.example.com/in/*', 'https://hooks.example.com/in/%2e%2e/secret')).toBe(false);
    expect(allows('http://127.0.0.1:8080/*', 'http://2130706433:8080/x')).toBe(true);
    expect(allows('http://127.0.0.1:8080/*', 'http://0x7f.1:8080/x')).toBe(true);
    expect(parsePattern('http://127.0.0.1:8080/*').address).toBe(true);
    expect(parsePattern('http://[::1]:8080/*').address).toBe(true);
    expect(parsePattern('https://hooks.example.com/*').address).toBe(false);
  });

  it('refuses patterns that grant too much or make no sense', () => {
    expect(() => parsePattern('ftp://x/*')).toThrow(/only http and https/);
    expect(() => parsePattern('https://u:p@x/*')).toThrow(/user:password/);
    expect(() => parsePattern('https://*.127.0.0.1/*')).toThrow();
    expect(() => parsePattern('https://x/a*b')).toThrow(/only at the end/);
    expect(() => parsePattern('https://x/?q=1')).toThrow(/query/);
    expect(grantProblems({ post_registration: { fetch: { allow: ['nope'] }, kommo: { write: ['PUT /x'] } } })).toEqual([
      'hooks.post_registration.fetch.allow[0]: "nope" is not a URL pattern (write e.g. "https://hooks.example.com/in/*")',
      'hooks.post_registration.kommo.write[0]: "PUT /x" is not a Kommo route (write e.g. "POST /api/v4/leads/*/notes")',
    ]);
  });

  it('address ranges: loopback, private, link-local, metadata, unique-local, mapped; public passes', () => {
    expect(refusedRange('127.0.0.1')).toBe('loopback');
    expect(refusedRange('::1')).toBe('loopback');
    expect(refusedRange('::ffff:127.0.0.1')).toBe('loopback');
    expect(refusedRange('10.1.2.3')).toBe('private');
    expect(refusedRange('192.168.0.1')).toBe('private');
    expect(refusedRange('169.254.169.254')).toBe('metadata');
    expect(refusedRange('169.254.1.1')).toBe('linkLocal');
    expect(refusedRange('fd00::1')).toBe('uniqueLocal');
    expect(refusedRange('0.0.0.0')).toBe('unspecified');
    expect(refusedRange('100.64.0.1')).toBe('carrierGradeNat');
    expect(refusedRange('93.184.215.14')).toBeNull();
    expect(refusedRange('2606:4700::1111')).toBeNull();
  });

  it('Kommo routes: * is one segment; the URL is logged without query values', () => {
    expect(parseRoute('POST /api/v4/leads/*/notes').test('POST /api/v4/leads/123/notes')).toBe(true);
    expect(parseRoute('POST /api/v4/leads/*/notes').test('POST /api/v4/leads/1/2/notes')).toBe(false);
    expect(parseRoute('POST /api/v4/leads/*/notes').test('PATCH /api/v4/leads/1/notes')).toBe(false);
    expect(redactUrl('https://x.example/a?token=secret&b=2')).toBe('https://x.example/a?token=…&b=…');
    expect(redactUrl('/api/v4/leads?query=%2B7916')).toBe('/api/v4/leads?query=…');
  });

  it('the config loader names a bad grant with its path, and keeps good grants as given', () => {
    const bad = checkConfig({ hooks: { post_registration: { fetch: { allow: ['https://ok.example.com/*', 'hooks.example.com'] }, kommo: { write: ['POST /api/v4/leads/*/notes', 'DELETE /everything'] } } } }, null, {});
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.problems.map((p) => p.path)).toEqual(['hooks.post_registration.fetch.allow[1]', 'hooks.post_registration.kommo.write[1]']);
    const good = checkConfig({ hooks: { post_registration: { timeoutMs: 3000, fetch: { allow: ['https://ok.example.com/*'] }, store: {} } } }, null, {});
    if (!good.ok) throw new Error(good.error.message);
    expect(good.value.config.hooks.post_registration).toMatchObject({ timeoutMs: 3000, fetch: { allow: ['https://ok.example.com/*'] }, store: {} });
  });
});
