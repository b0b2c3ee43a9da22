/**
 * What hookline does not register must be said where an operator reads before a restart: hookline follows calls
 * live over AMI and keeps no call in progress across a stop, so a call that ends while it is stopped is not
 * registered (issue 15). The README states it, with what can be done today.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const README = readFileSync('README.md', 'utf8');
const section = (title: string) => {
  const start = README.indexOf(`\n## ${title}\n`);
  if (start === -1) return '';
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end === -1 ? undefined : end).replace(/\s+/g, ' ');
};

describe('README: calls while hookline is stopped', () => {
  const text = section('While hookline is stopped');

  it('has a section saying that calls which end while hookline is stopped are not registered', () => {
    expect(text).toContain('A call that ends while hookline is stopped is not registered');
  });

  it('says what happens to a call still going when hookline starts, and what to do today', () => {
    expect(text).toContain('TRACKER_UNKNOWN_CALL');
    expect(text).toContain('hookline_joined');
    expect(text).toMatch(/CDR/);
  });

  it('is pointed to from Upgrading, where hookline is restarted on purpose', () => {
    expect(section('Upgrading')).toContain('While hookline is stopped');
  });
});
