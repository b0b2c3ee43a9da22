/** The service's error answer: `{error: {code, message, hint}}` with a code from the catalogue (contracts/errors*.ts). */
import type { FastifyReply } from 'fastify';
import type { ErrorCode } from '../contracts/index.ts';

export function problem(reply: FastifyReply, status: number, code: ErrorCode, message: string, hint?: string) {
  return reply.code(status).send({ error: { code, message, hint: hint ?? '' } });
}
