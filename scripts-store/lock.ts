/**
 * One writer per data folder. Every file under it (scripts, captures, failures, the outbox, Kommo tokens) is
 * written by one process that assumes it is alone: two hooklines on the same folder would each replace the
 * other's atomic rewrites and replay each other's outbox. The writer holds `<dataDir>/hookline.lock`, created
 * exclusively (O_EXCL) with its pid, host and start time; a second writer is refused with STORE_IN_USE, which
 * names the holder. A lock left by a process that died (SIGKILL, power loss) is taken over: on the same host a
 * holder whose pid is gone, is a zombie (exited, not yet reaped: Linux /proc/<pid>/stat state Z), or whose pid
 * now belongs to a process started at another time (/proc/<pid>/stat start time; a pid reused after a reboot),
 * is stale; where /proc is absent, kill(pid, 0) alone decides. The holder touches the file every
 * 10 s; a lock from another host (a folder on a shared filesystem, or a container recreated with a new host
 * name) is stale only when it has not been touched for a minute. Readers (`openStore(dir, { readOnly: true })`)
 * take no lock.
 */
import { closeSync, fsyncSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { makeError, type HooklineError } from '../contracts/index.ts';

export const LOCK_FILE = 'hookline.lock';

/** A lock file too young to have been written yet is another writer starting, not a dead one. */
const UNWRITTEN_GRACE_MS = 5_000;
/** How often the holder touches its lock file, and how long a lock from another host lives untouched. */
export const LOCK_HEARTBEAT_MS = 10_000;
export const LOCK_FOREIGN_STALE_MS = 60_000;

interface LockRecord {
  pid: number;
  host: string;
  since: string;
  /** Field 22 of /proc/<pid>/stat (clock ticks after boot) when known. */
  procStart?: string;
  /** Tells this holder's lock from another store's in the same process. */
  token?: string;
}

/** Locks this process holds, released at exit: one listener, however many stores are open. */
const held = new Set<() => void>();
let exitHook = false;

export interface DataLock {
  readonly path: string;
  /** Removes the lock file if it is still this process's. Idempotent. */
  release(): void;
}

/** Fields 3 (state) and 22 (start time) of /proc/<pid>/stat; undefined where /proc is absent or the pid gone. */
function procStat(pid: number): { state: string | undefined; start: string | undefined } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count fields after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], start: fields[19] };
  } catch {
    return undefined;
  }
}

const procStart = (pid: number) => procStat(pid)?.start;

function readRecord(path: string): LockRecord | null {
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockRecord>;
    return typeof r.pid === 'number' && typeof r.host === 'string' ? { pid: r.pid, host: r.host, since: String(r.since ?? '?'), ...(r.procStart ? { procStart: r.procStart } : {}), ...(r.token ? { token: r.token } : {}) } : null;
  } catch {
    return null;
  }
}

/** Whether the process that wrote `r` may still run (`touchedAgo`: ms since the file was last touched). */
function holderAlive(r: LockRecord, touchedAgo: number, foreignStaleMs: number): boolean {
  if (r.host !== hostname()) return touchedAgo < foreignStaleMs;
  try {
    process.kill(r.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const now = procStat(r.pid);
  // A zombie (Z; X while it is being reaped) has exited and only waits for its parent to reap it, about a
  // second after a kill -9: kill(pid, 0) still finds it, but it will never write again.
  if (now?.state === 'Z' || now?.state === 'X') return false;
  return !(r.procStart && now?.start && now.start !== r.procStart);
}

function describe(r: LockRecord): string {
  const self = r.pid === process.pid && r.host === hostname();
  return `${self ? 'another store opened by this process' : 'another hookline'} (pid ${r.pid} on ${r.host}, since ${r.since})`;
}

function ageOf(path: string): number | null {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

export interface DataLockOptions {
  now?: () => Date;
  /** Default LOCK_HEARTBEAT_MS. */
  heartbeatMs?: number;
  /** Default LOCK_FOREIGN_STALE_MS. */
  foreignStaleMs?: number;
}

/** Takes the data folder's lock, or says who holds it. */
export function acquireDataLock(dir: string, o: DataLockOptions = {}): { ok: true; value: DataLock } | { ok: false; error: HooklineError } {
  const now = o.now ?? (() => new Date());
  const foreignStaleMs = o.foreignStaleMs ?? LOCK_FOREIGN_STALE_MS;
  const path = join(dir, LOCK_FILE);
  const start = procStart(process.pid);
  const mine: LockRecord = { pid: process.pid, host: hostname(), since: now().toISOString(), ...(start ? { procStart: start } : {}), token: randomUUID() };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return { ok: false, error: makeError('STORE_UNREADABLE', { path, detail: (e as Error).message }) };
      const holder = readRecord(path);
      const age = ageOf(path);
      if (age === null) continue; // removed meanwhile: try again
      if (holder === null) {
        if (age < UNWRITTEN_GRACE_MS) return { ok: false, error: makeError('STORE_IN_USE', { path: dir, lock: path, holder: 'another hookline that is starting (its lock file is not written yet)' }) };
      } else if (holderAlive(holder, age, foreignStaleMs)) {
        return { ok: false, error: makeError('STORE_IN_USE', { path: dir, lock: path, holder: describe(holder) }) };
      }
      try {
        unlinkSync(path); // stale: its writer is gone
      } catch (u) {
        if ((u as NodeJS.ErrnoException).code !== 'ENOENT') return { ok: false, error: makeError('STORE_UNREADABLE', { path, detail: (u as Error).message }) };
      }
      continue;
    }
    try {
      writeSync(fd, `${JSON.stringify(mine)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    let released = false;
    // Touched while held, so that a host that cannot see this process can tell it lives.
    const heartbeat = setInterval(() => {
      const t = new Date();
      try {
        utimesSync(path, t, t);
      } catch {
        // gone or unwritable: the next open decides
      }
    }, o.heartbeatMs ?? LOCK_HEARTBEAT_MS);
    heartbeat.unref();
    const release = () => {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      held.delete(release);
      const on = readRecord(path);
      if (on && on.token === mine.token) {
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      }
    };
    // a process that exits without closing its store (an uncaught error) leaves no lock behind
    held.add(release);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', () => {
        for (const r of [...held]) r();
      });
    }
    return { ok: true, value: { path, release } };
  }
  return { ok: false, error: makeError('STORE_IN_USE', { path: dir, lock: path, holder: 'another hookline (its lock file kept coming back)' }) };
}
