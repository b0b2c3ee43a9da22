/**
 * Atomic replacement of a file: the new text goes to a temp file in the same folder, is fsynced, then renamed
 * over the file, and the folder is fsynced so the rename itself survives a power cut. A reader (or a crash)
 * sees the old content or the new, never a mix. lowdb's own writer (steno 4) does temp + rename but no fsync,
 * so after a power cut the renamed file can be empty on ext4/xfs; that is why hookline brings its own (the
 * scripts store's files, the outbox's compaction).
 */
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let tempSeq = 0;

/** Writes `content` (text, or chunks written as they are, with no copy into one buffer) atomically; returns its size in bytes. */
export async function writeFileAtomic(path: string, content: string | readonly Uint8Array[]): Promise<number> {
  // A name unique per process and write: two writers never share a temp file, and a stale temp from a crash
  // is never reused.
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${++tempSeq}.tmp`);
  const chunks = typeof content === 'string' ? [Buffer.from(content, 'utf8')] : content;
  try {
    const fh = await open(temp, 'w', 0o600);
    try {
      // writev hands libuv the list as is; libuv loops until every byte is written (more than IOV_MAX chunks too).
      await fh.writev(chunks as Uint8Array[]);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw e;
  }
  await syncDir(dirname(path));
  return chunks.reduce((n, c) => n + c.byteLength, 0);
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch (e) {
    // Some filesystems (and Windows) refuse fsync on a directory; the rename is still atomic there.
    if (!['EINVAL', 'EPERM', 'EISDIR', 'EBADF'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
  } finally {
    await fh.close();
  }
}

/** Runs tasks one at a time in the order they were queued; a failed task does not stop the ones after it. */
export function createSerialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>) => {
    const run = tail.then(task);
    tail = run.catch(() => undefined);
    return run;
  };
}
