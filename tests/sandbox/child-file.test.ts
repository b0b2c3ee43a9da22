/**
 * The sandbox child started from a bundle file (sandbox/child-command.ts): real child processes, real isolates.
 * Each test writes into its own folder, so none depends on what another left in the shared temp folder.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';
import { childCommand } from '../../sandbox/child-command.ts';
import { createHookRunner, createRunner, createSupervisor } from '../../sandbox/index.ts';
import { expectRunnerStillWorks, run, script } from './helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'hl-child-file-'));
let folders = 0;
const folder = () => join(root, `f${++folders}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const GOOD = "export default (i: HookInput): HookResult => ({ data: { phone: i.phone + '!' }, state: 'success' });";
const START_HINT = /^The default data was used; the next invocation tries to start the sandbox again\. Check .*writable.*Node executable/;
const argvOf = (pid: number | undefined) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
const bundleFiles = (dir: string) => readdirSync(dir).sort();

describe('the sandbox child runs from a bundle file', () => {
  it('a bundle over 256 KB (past what `node -e` could take) starts the child, which answers right; its argv names the file', async () => {
    const dir = folder();
    // A comment of 300 KB at the top of the bundle: with `node -e` this would have been a 300 KB argument (E2BIG).
    const sup = createSupervisor({ bundleDir: dir, bundleBanner: `/* ${'padding '.repeat(300 * 128)}*/` });
    const runner = createHookRunner(sup);
    try {
      await expectRunnerStillWorks(runner);
      const argv = argvOf(sup.pid());
      const file = argv.at(-1) as string;
      expect(argv.slice(1)).toEqual(['--no-node-snapshot', '--enable-source-maps', file]);
      expect(file).toMatch(new RegExp(`^${dir}/sandbox-child-[0-9a-f]{16}\\.mjs$`));
      expect(statSync(file).size).toBeGreaterThan(256 * 1024);
      expect(readFileSync(file, 'utf8').startsWith('/* padding padding')).toBe(true);
      expect(argv.join(' ').length).toBeLessThan(1024);
    } finally {
      await runner.close();
    }
  });

  it('the file is named by the hash of its content, and a second runner reuses it without writing it again', async () => {
    const dir = folder();
    const first = createRunner({ bundleDir: dir });
    await expectRunnerStillWorks(first);
    await first.close();
    const [name, map] = bundleFiles(dir);
    expect(map).toBe(`${name}.map`);
    const file = join(dir, name as string);
    const js = readFileSync(file, 'utf8');
    // The last line points at the map and is not hashed (the name it holds comes from the hash).
    expect(js.endsWith(`//# sourceMappingURL=${name}.map\n`)).toBe(true);
    const code = js.slice(0, js.length - `//# sourceMappingURL=${name}.map\n`.length);
    const hash = createHash('sha256').update(code).update('\0').update(readFileSync(`${file}.map`, 'utf8')).digest('hex').slice(0, 16);
    expect(name).toBe(`sandbox-child-${hash}.mjs`);
    const before = statSync(file);

    const second = createRunner({ bundleDir: dir });
    try {
      await expectRunnerStillWorks(second);
      const after = statSync(file);
      expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
      expect(bundleFiles(dir)).toEqual([name, map]);
    } finally {
      await second.close();
    }
  });

  it('a file of that name with other content is replaced, not run; runners racing on an empty folder leave the two files whole', async () => {
    const dir = folder();
    const racing = [createRunner({ bundleDir: dir }), createRunner({ bundleDir: dir }), createRunner({ bundleDir: dir })];
    try {
      await Promise.all(racing.map((r) => expectRunnerStillWorks(r)));
    } finally {
      await Promise.all(racing.map((r) => r.close()));
    }
    const [name, map] = bundleFiles(dir);
    expect(bundleFiles(dir)).toEqual([name, map]);
    const file = join(dir, name as string);
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, 'process.exit(3);\n');
    const runner = createRunner({ bundleDir: dir });
    try {
      await expectRunnerStillWorks(runner);
      expect(readFileSync(file, 'utf8')).toBe(good);
    } finally {
      await runner.close();
    }
  });

  it("a child-side exception's stack trace names the TypeScript source, not [eval]", async () => {
    const { args } = await childCommand({ bundleDir: folder() });
    const child = spawn(process.execPath, args, { serialization: 'json', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // A malformed message (a warm without its script) makes the child throw outside any isolate, and die.
    child.once('message', () => child.send({ type: 'host:warm', id: 1 }));
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(1);
    expect(stderr).toMatch(/TypeError: Cannot read properties of undefined \(reading 'hash'\)\n\s+at .*\/sandbox\/child\.ts:\d+:\d+\)/);
    expect(stderr).not.toMatch(/\[eval/);
  });
});

describe('a child that cannot be started ends the invocation with SANDBOX_CRASH, never an exception; the next one tries again', () => {
  it('a bundle folder that cannot be created (a file in its way): SANDBOX_CRASH saying so; once the folder can be made, it works', async () => {
    const blocker = join(folder(), 'blocker');
    mkdirSync(join(blocker, '..'));
    writeFileSync(blocker, 'a file where the folder should be');
    const dir = join(blocker, 'bundles');
    const crashes: string[] = [];
    const runner = createRunner({ bundleDir: dir, supervisor: { onCrash: (d) => crashes.push(d) } });
    try {
      const r = await run(runner, 'process_client_phone', GOOD, { linkedid: '1700000000.1' });
      expect(r.ok).toBe(false);
      expect(r.error?.code).toBe('SANDBOX_CRASH');
      expect(r.error?.message).toMatch(
        new RegExp(`^the sandbox process could not be started to run process_client_phone \\(script v\\d+\\) on call 1700000000\\.1: could not write the sandbox child's bundle ${dir}/sandbox-child-[0-9a-f]{16}\\.mjs: ENOTDIR: not a directory, mkdir '${dir}'$`),
      );
      expect(r.error?.hint).toMatch(START_HINT);
      expect(r.data).toEqual({ phone: hooks.process_client_phone.exampleInput.phone });
      // warm() never throws either.
      await expect(runner.warm('process_client_phone', await script('process_client_phone', GOOD))).resolves.toBeUndefined();
      expect(crashes).toHaveLength(2);

      rmSync(blocker);
      await expectRunnerStillWorks(runner);
      expect(bundleFiles(dir)).toHaveLength(2);
    } finally {
      await runner.close();
    }
  });

  it('a bundle folder every user can write is refused, not run from (SANDBOX_CRASH); once it is private again, it works', async () => {
    const dir = folder();
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const runner = createRunner({ bundleDir: dir });
    try {
      const r = await run(runner, 'process_client_phone', GOOD);
      expect(r.error?.code).toBe('SANDBOX_CRASH');
      expect(r.error?.message).toMatch(/: could not write the sandbox child's bundle .+\.mjs: the folder is writable by every user; hookline runs no code from it$/);
      expect(bundleFiles(dir)).toEqual([]);
      chmodSync(dir, 0o700);
      await expectRunnerStillWorks(runner);
    } finally {
      await runner.close();
    }
  });

  it('spawn throwing at once (E2BIG: an environment variable over 128 KB): SANDBOX_CRASH; without it, the next invocation works', async () => {
    const runner = createRunner({ bundleDir: folder() });
    process.env.HOOKLINE_TEST_HUGE = 'x'.repeat(200 * 1024);
    try {
      const r = await run(runner, 'process_client_phone', GOOD);
      expect(r.error?.code).toBe('SANDBOX_CRASH');
      expect(r.error?.message).toMatch(/^the sandbox process could not be started to run process_client_phone \(script v\d+\): could not start the sandbox process with .+: spawn E2BIG$/);
      expect(r.error?.hint).toMatch(START_HINT);
      delete process.env.HOOKLINE_TEST_HUGE;
      await expectRunnerStillWorks(runner);
    } finally {
      delete process.env.HOOKLINE_TEST_HUGE;
      await runner.close();
    }
  });

  it("a Node executable that is not there (ENOENT, reported by spawn's 'error' event): SANDBOX_CRASH for each invocation waiting; once it is there, it works", async () => {
    const dir = folder();
    mkdirSync(dir);
    const node = join(dir, 'node');
    const crashes: string[] = [];
    const sup = createSupervisor({ bundleDir: join(dir, 'bundles'), execPath: node, onCrash: (d) => crashes.push(d) });
    const runner = createHookRunner(sup);
    try {
      // Compiled first, so the two invocations wait on the same start (compiling each at once, on a loaded machine
      // the second could come after the first start had failed and try a start of its own).
      const scripts = [await script('process_client_phone', GOOD), await script('need_registration', 'export default () => ({ data: { result: false }, state: "success" })')] as const;
      const both = await Promise.all([
        runner.invoke('process_client_phone', scripts[0], structuredClone(hooks.process_client_phone.exampleInput)),
        runner.invoke('need_registration', scripts[1], structuredClone(hooks.need_registration.exampleInput)),
      ]);
      for (const r of both) {
        expect(r.error?.code).toBe('SANDBOX_CRASH');
        expect(r.error?.message).toMatch(new RegExp(`^the sandbox process could not be started to run \\w+ \\(script v\\d+\\): could not start the sandbox process with ${node}: spawn ${node} ENOENT$`));
        expect(r.error?.hint).toMatch(START_HINT);
      }
      expect(crashes).toHaveLength(1);
      expect((await run(runner, 'process_client_phone', GOOD)).error?.code).toBe('SANDBOX_CRASH');
      expect(crashes).toHaveLength(2);
      expect(sup.restarts()).toBe(0);

      symlinkSync(process.execPath, node);
      await expectRunnerStillWorks(runner);
      expect(argvOf(sup.pid())[0]).toBe(node);
    } finally {
      await runner.close();
    }
  });
});
