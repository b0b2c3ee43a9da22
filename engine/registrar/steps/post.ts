/** post: post_registration, once the call is in Kommo. Only its state counts; a failure is recorded by the invoker. */
import { hook, journal, prior, type Ctx } from './kit.ts';

const STEP = 'post';

export async function postStep(c: Ctx): Promise<void> {
  if (prior(c, STEP)?.status === 'done') return;
  await hook(c, 'post_registration', { call_full: c.cf });
  await journal(c, STEP, { status: 'done' });
}
