/**
 * The actions the simulated PBX answers, with Asterisk's own strings (manager.c, Asterisk 13–22):
 * Login, Challenge, Logoff, Ping, Events, CoreShowChannels, Originate; Permission denied before login.
 */
import { createHash, randomInt } from 'node:crypto';
import { AmiParser, type AmiMessage } from '../../ami-wire/index.ts';
import type { ChannelTable } from './channels.ts';
import type { Session } from './session.ts';
import type { OriginatePlan, PbxClientInfo, PbxFaults, PbxUser } from './types.ts';
import { formatBlock, getHeader, response, type WireFields } from './wire.ts';

export interface ActionContext {
  users: Record<string, PbxUser>;
  faults: PbxFaults;
  loginFailureDelayMs: number;
  fullyBooted: boolean;
  startedAtMs: number;
  now: () => number;
  channels: ChannelTable;
  onLogin(session: Session): void;
  originate(session: Session, action: AmiMessage, actionId: string): void;
  onAction: ((action: AmiMessage, client: PbxClientInfo) => WireFields | undefined) | undefined;
}

const BEFORE_LOGIN = new Set(['login', 'logoff', 'challenge']);

export function answerAction(ctx: ActionContext, session: Session, action: AmiMessage): void {
  const name = getHeader(action, 'Action');
  const id = getHeader(action, 'ActionID');
  const lower = name.toLowerCase();
  if (name === '') {
    void session.write(response('Error', id, [['Message', 'Missing action in request']]));
    return;
  }
  if (!session.authenticated && !BEFORE_LOGIN.has(lower)) {
    void session.write(response('Error', id, [['Message', 'Permission denied']]));
    return;
  }
  switch (lower) {
    case 'login':
      return login(ctx, session, action, id);
    case 'challenge':
      session.challenge = String(randomInt(100_000_000, 999_999_999));
      void session.write(response('Success', id, [['Challenge', session.challenge]]));
      return;
    case 'logoff':
      session.endWith(response('Goodbye', id, [['Message', 'Thanks for all the fish.']]));
      return;
    case 'ping': {
      if (ctx.faults.ignorePings > 0) {
        ctx.faults.ignorePings--;
        return;
      }
      const ts = (ctx.now() / 1000).toFixed(6);
      void session.write(response('Success', id, [['Ping', 'Pong'], ['Timestamp', ts]]));
      return;
    }
    case 'events': {
      const mask = getHeader(action, 'EventMask').trim().toLowerCase();
      session.eventsOn = mask !== 'off';
      void session.write(response('Success', id, [['Events', session.eventsOn ? 'On' : 'Off']]));
      return;
    }
    case 'coreshowchannels':
      return coreShowChannels(ctx, session, id);
    case 'originate':
      return ctx.originate(session, action, id);
    default: {
      const custom = ctx.onAction?.(action, session.info());
      if (custom !== undefined) {
        void session.write(formatBlock(custom));
        return;
      }
      void session.write(response('Error', id, [['Message', `Invalid/unknown command: ${name}. Use Action: ListCommands to show available commands.`]]));
    }
  }
}

function login(ctx: ActionContext, session: Session, action: AmiMessage, id: string): void {
  if (ctx.faults.closeOnLogins > 0) {
    ctx.faults.closeOnLogins--;
    session.destroy();
    return;
  }
  if (session.ignoreLogin) return;
  if (session.authenticated) {
    void session.write(response('Success', id, [['Message', 'Already authenticated']]));
    return;
  }
  const username = getHeader(action, 'Username');
  const user = Object.hasOwn(ctx.users, username) ? ctx.users[username] : undefined;
  let ok = false;
  if (user !== undefined) {
    if (getHeader(action, 'AuthType').toLowerCase() === 'md5') {
      const expected = createHash('md5').update(`${session.challenge ?? ''}${user.secret}`).digest('hex');
      ok = session.challenge !== undefined && getHeader(action, 'Key').toLowerCase() === expected;
    } else {
      ok = getHeader(action, 'Secret') === user.secret;
    }
  }
  if (ok && ctx.faults.refuseLogins > 0) {
    ctx.faults.refuseLogins--;
    ok = false;
  }
  if (!ok) {
    // Asterisk sleeps 1 s, answers, then closes the session
    setTimeout(() => session.endWith(response('Error', id, [['Message', 'Authentication failed']])), ctx.loginFailureDelayMs).unref();
    return;
  }
  session.authenticated = true;
  session.username = username;
  const mask = getHeader(action, 'Events').trim().toLowerCase();
  if (mask !== '') session.eventsOn = mask !== 'off';
  const ok1 = response('Success', id, [['Message', 'Authentication accepted']]);
  const uptime = String(Math.floor((ctx.now() - ctx.startedAtMs) / 1000));
  const booted = ctx.fullyBooted && session.eventsOn
    ? formatBlock([['Event', 'FullyBooted'], ['Privilege', 'system,all'], ['Uptime', uptime], ['LastReload', uptime], ['Status', 'Fully Booted']])
    : '';
  if (ctx.faults.splitLoginWrite || booted === '') {
    void session.write(ok1);
    if (booted !== '') setTimeout(() => void session.write(booted), 5).unref();
  } else {
    // one write: the login response and the first event share a TCP segment, as on a real Asterisk
    void session.write(ok1 + booted);
  }
  ctx.onLogin(session);
}

function coreShowChannels(ctx: ActionContext, session: Session, id: string): void {
  if (ctx.faults.ignoreChannelLists > 0) {
    ctx.faults.ignoreChannelLists--;
    return;
  }
  const items = ctx.channels.list();
  let out = response('Success', id, [['EventList', 'start'], ['Message', 'Channels will follow']]);
  for (const item of items) {
    const fields: Array<[string, string]> = [['Event', 'CoreShowChannel']];
    if (id !== '') fields.push(['ActionID', id]);
    out += formatBlock([...fields, ...item]);
  }
  const done: Array<[string, string]> = [['Event', 'CoreShowChannelsComplete']];
  if (id !== '') done.push(['ActionID', id]);
  done.push(['EventList', 'Complete'], ['ListItems', String(items.length)]);
  out += formatBlock(done);
  const burst = ctx.faults.afterNextChannelList;
  if (burst !== '') {
    ctx.faults.afterNextChannelList = '';
    for (const m of new AmiParser().push(Buffer.from(burst, 'utf8')).messages) ctx.channels.apply(m);
    out += burst;
  }
  void session.write(out);
}

/** The checks Asterisk makes before it queues an Originate (action_originate). */
export function originateProblem(action: AmiMessage): string | undefined {
  const channel = getHeader(action, 'Channel');
  if (channel === '') return 'Channel not specified';
  if (!channel.includes('/')) return 'Invalid channel';
  const exten = getHeader(action, 'Exten');
  const app = getHeader(action, 'Application');
  if (exten !== '' && (getHeader(action, 'Context') === '' || getHeader(action, 'Priority') === '')) {
    return "Originate with 'Exten' requires 'Context' and 'Priority'";
  }
  const priority = getHeader(action, 'Priority');
  if (priority !== '' && !/^\d+$/.test(priority)) return 'Invalid priority';
  const timeout = getHeader(action, 'Timeout');
  if (timeout !== '' && !/^\d+$/.test(timeout)) return 'Invalid timeout';
  if (exten === '' && app === '') return "Originate with 'Exten' requires 'Context' and 'Priority'";
  return undefined;
}

export function defaultPlan(): OriginatePlan {
  return { response: 'Success', reason: 4 };
}
