/**
 * `hookline run` runs process_record_file_path as the engine does, with convertToMp3 reading the configured
 * recordings folder and writing hookline's cache (before, the CLI's runner had no capabilities and the
 * default script failed with "convertToMp3 is not defined").
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECORD_SCRIPT, hooks } from '../../contracts/index.ts';
import { decodedSeconds, makeWav, probe } from './media.ts';

const NODE = join(process.cwd(), 'node_modules/.bin/node');
const MAIN = join(process.cwd(), 'cli/main.ts');

describe('hookline run process_record_file_path', () => {
  it('converts a WAV of the configured recordings folder into the data folder cache with the default script', () => {
    const root = mkdtempSync(join(tmpdir(), 'hl-cli-rec-'));
    const recDir = join(root, 'monitor');
    mkdirSync(recDir);
    const wav = join(recDir, 'call-1.wav');
    makeWav(wav, 2);
    const config = join(root, 'hookline.config.json');
    writeFileSync(config, JSON.stringify({ dataDir: join(root, 'data'), recordings: { dir: recDir } }));
    const script = join(root, 'record.ts');
    writeFileSync(script, DEFAULT_RECORD_SCRIPT);
    const input = join(root, 'input.json');
    writeFileSync(input, JSON.stringify({ ...hooks.process_record_file_path.exampleInput, path: wav }));

    const r = spawnSync(NODE, ['--no-node-snapshot', MAIN, 'run', 'process_record_file_path', '--script', script, '--input', input, '--config', config], { encoding: 'utf8', cwd: root });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { ok: boolean; data: { path: string }; error: unknown };
    expect(out.error).toBeNull();
    expect(out.ok).toBe(true);
    expect(out.data.path.startsWith(join(root, 'data', 'recordings-mp3'))).toBe(true);
    expect(existsSync(out.data.path)).toBe(true);
    expect(probe(out.data.path).format).toBe('mp3');
    expect(decodedSeconds(out.data.path)).toBeCloseTo(2, 0);
    expect(r.status).toBe(0);
  });

  it('a WAV outside the configured recordings folder is refused by the capability, and the original is the answer', () => {
    const root = mkdtempSync(join(tmpdir(), 'hl-cli-rec-'));
    const wav = join(root, 'elsewhere.wav');
    makeWav(wav, 1);
    const config = join(root, 'hookline.config.json');
    writeFileSync(config, JSON.stringify({ dataDir: join(root, 'data'), recordings: { dir: join(root, 'monitor') } }));
    const script = join(root, 'record.ts');
    writeFileSync(script, DEFAULT_RECORD_SCRIPT);
    const input = join(root, 'input.json');
    writeFileSync(input, JSON.stringify({ ...hooks.process_record_file_path.exampleInput, path: wav }));
    const r = spawnSync(NODE, ['--no-node-snapshot', MAIN, 'run', 'process_record_file_path', '--script', script, '--input', input, '--config', config], { encoding: 'utf8', cwd: root });
    const out = JSON.parse(r.stdout) as { ok: boolean; data: { path: string }; error: { code: string; message: string } };
    expect(out.ok).toBe(false);
    expect(out.error.code).toBe('SCRIPT_ERROR');
    expect(out.error.message).toMatch(/recordings folder/);
    expect(out.data.path).toBe(wav);
    expect(r.status).toBe(1);
  });
});
