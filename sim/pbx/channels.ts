/**
 * The channels the simulated PBX believes are up, kept from the events it sends (emit, replay), so that
 * CoreShowChannels answers with the truth after a client missed events while disconnected.
 */
import type { AmiMessage } from '../../ami-wire/index.ts';

const SNAPSHOT_KEYS = [
  'Channel', 'ChannelState', 'ChannelStateDesc', 'CallerIDNum', 'CallerIDName', 'ConnectedLineNum', 'ConnectedLineName',
  'Language', 'AccountCode', 'Context', 'Exten', 'Priority', 'Uniqueid', 'Linkedid',
] as const;

const UPDATES = new Set(['Newchannel', 'Newstate', 'NewCallerid', 'NewConnectedLine', 'NewAccountCode', 'Newexten', 'DialBegin', 'DialEnd', 'DialState', 'BridgeEnter', 'BridgeLeave']);

export interface ChannelRow {
  fields: Record<string, string>;
  createdAtMs: number;
  application: string;
  applicationData: string;
  bridgeId: string;
}

/** Hung-up channels remembered, so that an event of one after its Hangup does not bring it back. */
const REMEMBER_HUNG_UP = 1024;

export class ChannelTable {
  private readonly rows = new Map<string, ChannelRow>();
  /** The last REMEMBER_HUNG_UP uniqueids hung up, oldest first (captures have events after a Hangup). */
  private readonly hungUp = new Set<string>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** Update from one event the PBX sends. */
  apply(ev: AmiMessage): void {
    const name = ev['Event'];
    if (typeof name !== 'string') return;
    const uid = ev['Uniqueid'];
    if (typeof uid !== 'string' || uid === '') return;
    if (name === 'Hangup') {
      this.rows.delete(uid);
      // a copy: the uniqueid as read is a slice that keeps the whole text it was read from (a replay)
      this.hungUp.add((' ' + uid).slice(1));
      if (this.hungUp.size > REMEMBER_HUNG_UP) this.hungUp.delete(this.hungUp.values().next().value as string);
      return;
    }
    if (!UPDATES.has(name)) return;
    let row = this.rows.get(uid);
    if (row === undefined) {
      // a late event of a channel already hung up (caco-inbound-queue-answered has a NewConnectedLine after its
      // Local channel's Hangup): brought back, it would be listed for good, one more at every replay of the demo
      if (this.hungUp.has(uid) && name !== 'Newchannel') return;
      // a channel first seen after its Newchannel (a capture cut short) is still a live channel
      row = { fields: {}, createdAtMs: this.now(), application: '', applicationData: '', bridgeId: '' };
      this.rows.set(uid, row);
    }
    for (const k of SNAPSHOT_KEYS) {
      const v = ev[k];
      if (typeof v === 'string') row.fields[k] = v;
    }
    if (name === 'Newexten') {
      row.application = typeof ev['Application'] === 'string' ? ev['Application'] : row.application;
      row.applicationData = typeof ev['AppData'] === 'string' ? ev['AppData'] : row.applicationData;
    }
    if (name === 'BridgeEnter') row.bridgeId = typeof ev['BridgeUniqueid'] === 'string' ? ev['BridgeUniqueid'] : '';
    if (name === 'BridgeLeave') row.bridgeId = '';
  }

  clear(): void {
    this.rows.clear();
    this.hungUp.clear();
  }

  set(list: ReadonlyArray<Record<string, string>>): void {
    this.rows.clear();
    for (const fields of list) {
      const uid = fields['Uniqueid'] ?? `${this.rows.size}`;
      this.rows.set(uid, { fields: { ...fields }, createdAtMs: this.now(), application: fields['Application'] ?? '', applicationData: fields['ApplicationData'] ?? '', bridgeId: fields['BridgeId'] ?? '' });
    }
  }

  /** The CoreShowChannel item bodies, as Asterisk lists them (snapshot, Application, ApplicationData, Duration, BridgeId). */
  list(): Array<Array<[string, string]>> {
    const out: Array<Array<[string, string]>> = [];
    for (const row of this.rows.values()) {
      const item: Array<[string, string]> = [];
      for (const k of SNAPSHOT_KEYS) if (row.fields[k] !== undefined) item.push([k, row.fields[k]!]);
      for (const [k, v] of Object.entries(row.fields)) if (!(SNAPSHOT_KEYS as readonly string[]).includes(k) && !['Application', 'ApplicationData', 'Duration', 'BridgeId'].includes(k)) item.push([k, v]);
      item.push(['Application', row.application], ['ApplicationData', row.applicationData], ['Duration', duration(this.now() - row.createdAtMs)], ['BridgeId', row.bridgeId]);
      out.push(item);
    }
    return out;
  }

  get size(): number {
    return this.rows.size;
  }
}

function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(s / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
}
