/**
 * GET (and HEAD) /recordings/<token>[/<name>]: the file a signed link names, with range requests (players seek
 * with them and Safari requires them). Refusals are JSON errors: 403 for a link that is not ours or expired,
 * 404 for a file that is not there or not inside its folder, 416 for a range past the end.
 * The file is opened once its real path is checked, and everything after reads that descriptor, so a file
 * swapped for a symlink in between is not followed. A file that shrinks while it is sent ends the response
 * with an error (the connection is closed), never a short body on a keep-alive connection.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform, pipeline } from 'node:stream';
import { basename, extname } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { makeError, type ErrorCode, type ErrorParams } from '../../contracts/index.ts';
import type { Logger } from '../../log/index.ts';
import { byteRange } from './byte-range.ts';
import { realInside } from './inside.ts';
import { checkToken, type LinkRoot } from './link-token.ts';

const TYPES: Record<string, string> = {
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.oga': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.gsm': 'audio/x-gsm',
  '.m4a': 'audio/mp4',
};

export const contentTypeOf = (file: string) => TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';

export interface ServeContext {
  key: Buffer;
  roots: Record<LinkRoot, string>;
  now: () => number;
  log: Logger;
}

function refuse(reply: FastifyReply, status: number, code: ErrorCode, params: ErrorParams = {}) {
  return reply.code(status).header('cache-control', 'no-store').header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ error: makeError(code, params) }));
}

export async function serveRecording(c: ServeContext, req: FastifyRequest, reply: FastifyReply) {
  // `<token>` or `<token>/<file name>`: the name is there for players that look at the URL's extension.
  const token = ((req.params as Record<string, string | undefined>)['*'] ?? '').split('/')[0] ?? '';
  const checked = checkToken(c.key, token, c.now());
  if (!checked.ok) {
    c.log.info({ code: checked.code, ip: req.ip }, `recording link refused: ${checked.detail}`);
    return refuse(reply, 403, checked.code, { detail: checked.detail });
  }
  const { r, p } = checked.payload;
  const found = await realInside(c.roots[r], p);
  if (!found) {
    c.log.warn({ root: r, path: p }, 'a signed recording link names a file that is gone or outside its folder');
    return refuse(reply, 404, 'RECORDING_NOT_FOUND', { path: basename(p) });
  }
  const fh = await open(found.real, 'r').catch(() => null);
  if (!fh) return refuse(reply, 404, 'RECORDING_NOT_FOUND', { path: basename(p), detail: 'it cannot be read' });
  let handed = false;
  try {
    const st = await fh.stat();
    if (!st.isFile()) return refuse(reply, 404, 'RECORDING_NOT_FOUND', { path: basename(p), detail: 'it is not a file' });
    const size = st.size;
    // If-Range (RFC 9110 §13.1.5): a client resuming a download asks for the range only if the file is still the
    // one it has the beginning of; otherwise it gets the whole file, never a range of another file.
    const range = ifRangeHolds(req.headers['if-range'], st.mtime, c.now()) ? byteRange(req.headers.range, size) : ({ kind: 'whole' } as const);
    if (range.kind === 'unsatisfiable') {
      reply.header('accept-ranges', 'bytes').header('content-range', `bytes */${size}`);
      return refuse(reply, 416, 'RECORDING_BAD_RANGE', { detail: `${req.headers.range ?? ''} is outside the file's ${size} bytes` });
    }
    reply
      .header('accept-ranges', 'bytes')
      .header('content-type', contentTypeOf(found.real))
      .header('cache-control', 'private, max-age=3600')
      .header('last-modified', st.mtime.toUTCString())
      .header('content-disposition', `inline; filename="${basename(found.real).replace(/[^\w.-]/g, '_')}"`);
    const start = range.kind === 'part' ? range.start : 0;
    const end = range.kind === 'part' ? range.end : size - 1;
    if (range.kind === 'part') reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
    else reply.code(200);
    reply.header('content-length', String(size === 0 ? 0 : end - start + 1));
    if (req.method === 'HEAD' || size === 0) return reply.send();
    handed = true;
    return reply.send(exactly(createReadStream('', { fd: fh, start, end, autoClose: true }), end - start + 1));
  } finally {
    if (!handed) await fh.close();
  }
}

/**
 * Whether the Range may be answered under If-Range: no If-Range, or one equal to the Last-Modified sent
 * (exact match, and the date strong: at least a second before now, RFC 9110 §8.8.2.2). An entity tag never
 * matches: none is given out.
 */
function ifRangeHolds(header: string | string[] | undefined, mtime: Date, nowMs: number): boolean {
  if (header === undefined) return true;
  return typeof header === 'string' && header.trim() === mtime.toUTCString() && nowMs - mtime.getTime() >= 1000;
}

/**
 * The stream's bytes, failing at its end if there were fewer than `length`: Content-Length is already sent, so
 * a file truncated meanwhile must not end the response as if it were complete (the client would wait for the
 * rest, and read the next response on the connection as this body). Fastify destroys the response on the error.
 */
function exactly(source: NodeJS.ReadableStream, length: number): Transform {
  let seen = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      done(seen < length ? new Error(`the file shrank while it was sent: ${seen} of ${length} bytes`) : null);
    },
  });
  pipeline(source, counted, () => undefined);
  return counted;
}
