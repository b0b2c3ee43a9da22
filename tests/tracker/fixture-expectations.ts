/**
 * What each AMI fixture's .json metadata says happened, as the tracker must report it. Exported so the
 * lead can re-run the same assertions on the events as delivered by sim/pbx over TCP (the wire must change
 * nothing). `config` is what the PBX's owner would configure (trunk names); `calls` is one entry per linkedid.
 */
import type { TrackerConfig } from '../../engine/tracker/index.ts';

export interface CallExpectation {
  direction: 'inbound' | 'outbound' | 'internal';
  from: string;
  to: string;
  answered: boolean;
  /** Name prefix of the first conversation channel that answered (numbers are not always in the events). */
  answeredChannel: string | null;
  /** Name prefixes of the conversation channels, in the order they rang. */
  rang: string[];
  result: number;
  trunk: string | null;
  record?: string;
  is_ivr?: boolean;
  /** The channel that picked the call up (extra.picked_up_by); none of the captures has a pickup. */
  pickedUpBy?: string | null;
}

export interface FixtureExpectation {
  name: string;
  /** 'repo': tests/fixtures/ami (MIT caco-* captures, always there); 'shared': ../shared/fixtures/ami. */
  where: 'repo' | 'shared';
  config: Partial<TrackerConfig>;
  calls: Record<string, CallExpectation>;
}

const VOIPGRID: Partial<TrackerConfig> = { trunks: [/^SIP\/voipgrid-siproute-docker-/] };

export const FIXTURE_EXPECTATIONS: FixtureExpectation[] = [
  {
    name: 'caco-inbound-blonde-transfer', where: 'repo', config: VOIPGRID,
    calls: {
      'f29ea68048f6-1530024929.2709': { direction: 'inbound', from: '+31260010001', to: '+31150010001', answered: true, answeredChannel: 'SIP/150010001-', rang: ['SIP/150010001-', 'SIP/150010002-00000099'], result: 200, trunk: 'voipgrid-siproute-docker' },
      // The consult call 201 -> 202; 202 leaves it for the caller's call when the transfer completes.
      'f29ea68048f6-1530024939.2753': { direction: 'internal', from: '201', to: '202', answered: true, answeredChannel: 'SIP/150010002-00000099', rang: ['SIP/150010002-00000099'], result: 200, trunk: null },
    },
  },
  {
    name: 'caco-inbound-queue-answered', where: 'repo', config: VOIPGRID,
    calls: {
      '195176c06ab8-1529939196.518': { direction: 'inbound', from: '+31150010001', to: '+31150010004', answered: true, answeredChannel: 'SIP/150010002-00000026', rang: ['SIP/150010002-', 'SIP/150010003-'], result: 200, trunk: 'voipgrid-siproute-docker' },
    },
  },
  {
    name: 'caco-inbound-queue-blind-transfer', where: 'repo', config: VOIPGRID,
    calls: {
      'f29ea68048f6-1530023464.2539': { direction: 'inbound', from: '+31260010001', to: '+31150010001', answered: true, answeredChannel: 'SIP/150010001-0000008e', rang: ['SIP/150010001-0000008e', 'SIP/150010002-0000008f'], result: 200, trunk: 'voipgrid-siproute-docker' },
    },
  },
  {
    name: 'caco-inbound-queue-caller-abandon', where: 'repo', config: VOIPGRID,
    calls: {
      '40a7a1f2a669-1585318545.326': { direction: 'inbound', from: '+31150010001', to: '+31150010004', answered: false, answeredChannel: null, rang: ['SIP/150010002-'], result: 487, trunk: 'voipgrid-siproute-docker', is_ivr: false },
    },
  },
  {
    name: 'caco-internal-attended-transfer', where: 'repo', config: VOIPGRID,
    calls: {
      '195176c06ab8-1529941338.663': { direction: 'internal', from: '201', to: '202', answered: true, answeredChannel: 'SIP/150010002-0000002d', rang: ['SIP/150010002-0000002d', 'SIP/150010003-0000002f'], result: 200, trunk: null },
      '195176c06ab8-1529941342.690': { direction: 'internal', from: '202', to: '203', answered: true, answeredChannel: 'SIP/150010003-0000002f', rang: ['SIP/150010003-0000002f'], result: 200, trunk: null },
    },
  },
  {
    name: 'caco-internal-blind-transfer', where: 'repo', config: VOIPGRID,
    calls: {
      '07b796be1962-1529998959.65': { direction: 'internal', from: '201', to: '202', answered: true, answeredChannel: 'SIP/150010002-00000004', rang: ['SIP/150010002-00000004', 'SIP/150010003-00000005'], result: 200, trunk: null },
    },
  },
  {
    name: 'caco-internal-busy-reject', where: 'repo', config: VOIPGRID,
    calls: {
      '195176c06ab8-1529936241.98': { direction: 'internal', from: '201', to: '202', answered: false, answeredChannel: null, rang: ['SIP/150010002-'], result: 486, trunk: null },
    },
  },
  {
    name: 'caco-internal-ringgroup-answered', where: 'repo', config: VOIPGRID,
    calls: {
      '195176c06ab8-1529936598.168': { direction: 'internal', from: '201', to: '401', answered: true, answeredChannel: 'SIP/150010002-0000000e', rang: ['SIP/15001000', 'SIP/15001000'], result: 200, trunk: null },
    },
  },
  {
    name: 'caco-originate-ctd-outbound-answered', where: 'repo', config: VOIPGRID,
    calls: {
      'c4061ca6474c-1531990515.302': { direction: 'outbound', from: '201', to: '+31260010001', answered: true, answeredChannel: 'SIP/voipgrid-siproute-docker-00000009', rang: ['SIP/voipgrid-siproute-docker-00000009'], result: 200, trunk: 'voipgrid-siproute-docker' },
    },
  },
  {
    name: 'caco-originate-ctd-outbound-busy', where: 'repo', config: VOIPGRID,
    calls: {
      'c4061ca6474c-1531990698.589': { direction: 'outbound', from: '201', to: '+31260010001', answered: false, answeredChannel: null, rang: ['SIP/voipgrid-siproute-docker-00000012'], result: 486, trunk: 'voipgrid-siproute-docker' },
    },
  },
  {
    name: 'caco-outbound-trunk-loopback-answered', where: 'repo', config: VOIPGRID,
    calls: {
      '195176c06ab8-1529936734.287': { direction: 'outbound', from: '+31260010001', to: '+31150010001', answered: true, answeredChannel: 'SIP/voipgrid-siproute-docker-00000016', rang: ['SIP/voipgrid-siproute-docker-00000016'], result: 200, trunk: 'voipgrid-siproute-docker' },
      '195176c06ab8-1529936734.297': { direction: 'inbound', from: '+31260010001', to: '+31150010001', answered: true, answeredChannel: 'SIP/150010001-00000018', rang: ['SIP/150010001-00000018'], result: 200, trunk: 'voipgrid-siproute-docker' },
    },
  },
  {
    // Inbound by its context ("incoming" is one of the default inbound contexts); the trunk named for the record.
    name: 'callme-inbound-ivr-queue-mixmonitor', where: 'shared', config: { trunks: [/^SIP\/toOurAster-/] },
    calls: {
      '1514295827.372': {
        direction: 'inbound', from: '123', to: '888999', answered: true, answeredChannel: 'SIP/777-', rang: ['SIP/777-'], result: 200, trunk: 'toOurAster',
        record: '/var/www/pbx-aseeva.vistep.ru/callme/records/wav/2017/12/26/1514295827.372-2017-12-26-14_43-123-888999.wav', is_ivr: false,
      },
    },
  },
  {
    name: 'sweeney-internal-answered-1986-to-21', where: 'shared', config: {},
    calls: { '1770888509.40': { direction: 'internal', from: '1986', to: '21', answered: true, answeredChannel: 'PJSIP/21-0000001a', rang: ['PJSIP/21-'], result: 200, trunk: null } },
  },
  {
    name: 'sweeney-internal-answered-21-to-1986', where: 'shared', config: {},
    calls: { '1770888534.43': { direction: 'internal', from: '21', to: '1986', answered: true, answeredChannel: 'PJSIP/1986-0000001c', rang: ['PJSIP/1986-'], result: 200, trunk: null } },
  },
  {
    name: 'sweeney-internal-caller-cancel', where: 'shared', config: {},
    calls: { '1770888559.46': { direction: 'internal', from: '1986', to: '21', answered: false, answeredChannel: null, rang: ['PJSIP/21-'], result: 487, trunk: null } },
  },
  {
    name: 'sweeney-ringgroup-no-answer', where: 'shared', config: {},
    calls: {
      '1770888635.49': { direction: 'internal', from: '1986', to: '666', answered: false, answeredChannel: null, rang: ['PJSIP/11-', 'PJSIP/12-', 'PJSIP/21-', 'PJSIP/41-', 'PJSIP/42-', 'PJSIP/51-'], result: 480, trunk: null },
    },
  },
  {
    // Inbound by Wazo's XIVO_INCALL marker (the caller is itself a local user who dialled the incall number).
    name: 'wazo-cel-incall-to-queue-answered', where: 'shared', config: {},
    calls: { '1757360004.25': { direction: 'inbound', from: '10006', to: '*94186560000', answered: true, answeredChannel: 'PJSIP/qhFVHMgy-', rang: ['PJSIP/qhFVHMgy-'], result: 200, trunk: null } },
  },
  {
    name: 'wazo-cel-originate-recorded', where: 'shared', config: {},
    calls: {
      '1656940739.0': {
        direction: 'internal', from: '1011', to: '1015', answered: true, answeredChannel: 'PJSIP/VRi5c6mT-00000001', rang: ['PJSIP/VRi5c6mT-00000001'], result: 200, trunk: null,
        record: '/var/lib/wazo/sounds/tenants/2c34c282-433e-4bb8-8d56-fec14ff7e1e9/monitor/8976fcad-0233-4755-b28e-8e3845b0959e.wav',
      },
    },
  },
  {
    name: 'wazo-cel-outbound-answered', where: 'shared', config: { trunks: [/^SIP\/dev_34-1-/] },
    calls: { '1434651125.37': { direction: 'outbound', from: '1001', to: '**9642301', answered: true, answeredChannel: 'SIP/dev_34-1-00000026', rang: ['SIP/dev_34-1-00000026'], result: 200, trunk: 'dev_34-1' } },
  },
];
