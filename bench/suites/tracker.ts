/**
 * Issue 3: AMI bytes to tracked calls (parse + track), in events/s, against the floor that only splits the
 * same bytes into blocks, in one run; and the memory of one call in flight with 10,000 concurrent calls.
 */
import { parseAmiText, type AmiMessage } from '../../ami-wire/index.ts';
import { initialState, track, TRACKER_AMI_ONLY, type TrackerState } from '../../engine/tracker/index.ts';
import type { BenchFigure, BenchSuite } from '../suite.ts';
import { amiBenchInput, measureAmiThroughput, splitBlocksOnly } from './ami.ts';

const CALLS = 10_000;

/** One two-channel internal call, ringing and answered (still in flight), with its own linkedid. */
function callEvents(i: number): AmiMessage[] {
  const id = `1700000000.${i * 2}`;
  const leg = `1700000000.${i * 2 + 1}`;
  const a = `PJSIP/${100 + (i % 800)}-${i.toString(16).padStart(8, '0')}`;
  const b = `PJSIP/${200 + (i % 700)}-${(i + 1).toString(16).padStart(8, '0')}`;
  return parseAmiText(
    [
      `Event: Newchannel\r\nChannel: ${a}\r\nChannelState: 4\r\nChannelStateDesc: Ring\r\nCallerIDNum: ${100 + (i % 800)}\r\nCallerIDName: A\r\nConnectedLineNum: <unknown>\r\nContext: from-internal\r\nExten: ${200 + (i % 700)}\r\nUniqueid: ${id}\r\nLinkedid: ${id}\r\n\r\n`,
      `Event: Newchannel\r\nChannel: ${b}\r\nChannelState: 0\r\nChannelStateDesc: Down\r\nCallerIDNum: ${200 + (i % 700)}\r\nConnectedLineNum: <unknown>\r\nContext: from-internal\r\nExten: s\r\nUniqueid: ${leg}\r\nLinkedid: ${id}\r\n\r\n`,
      `Event: DialBegin\r\nChannel: ${a}\r\nCallerIDNum: ${100 + (i % 800)}\r\nUniqueid: ${id}\r\nLinkedid: ${id}\r\nDestChannel: ${b}\r\nDestCallerIDNum: ${200 + (i % 700)}\r\nDestUniqueid: ${leg}\r\nDestLinkedid: ${id}\r\nDialString: ${200 + (i % 700)}\r\n\r\n`,
      `Event: Newstate\r\nChannel: ${b}\r\nChannelState: 6\r\nChannelStateDesc: Up\r\nCallerIDNum: ${200 + (i % 700)}\r\nUniqueid: ${leg}\r\nLinkedid: ${id}\r\n\r\n`,
      `Event: DialEnd\r\nChannel: ${a}\r\nUniqueid: ${id}\r\nLinkedid: ${id}\r\nDestChannel: ${b}\r\nDestUniqueid: ${leg}\r\nDestLinkedid: ${id}\r\nDialStatus: ANSWER\r\n\r\n`,
    ].join(''),
  );
}

/** The six headers every tracked event needs at least (which call, which channel, when, who, what state). */
const FEW_HEADERS = ['\r\nUniqueid: ', '\r\nLinkedid: ', '\r\nChannel: ', '\r\nCallerIDNum: ', '\r\nTimestamp: ', '\r\nChannelStateDesc: '];

/**
 * A lower bound for any reader written in JavaScript, for reference: the whole input as one buffer (no
 * seams), each block found by the same native search as the floor, decoded, and only six headers looked up
 * by native string search, nothing tracked. If this alone costs more than 40% of the floor allows, no
 * parser plus tracker in JavaScript can meet that part of the target. Returns the blocks read.
 */
function fewHeadersOnly(all: Buffer, onValue: (v: string) => void): number {
  const end = Buffer.from('\r\n\r\n');
  let n = 0;
  let pos = 0;
  for (let e = all.indexOf(end, pos); e !== -1; e = all.indexOf(end, pos)) {
    const block = all.toString('utf8', pos === 0 ? 0 : pos - 2, e + 2);
    for (const k of FEW_HEADERS) {
      const i = block.indexOf(k);
      if (i !== -1) onValue(block.slice(i + k.length, block.indexOf('\r', i + k.length)));
    }
    n++;
    pos = e + 4;
  }
  return n;
}

function measureFewHeaders(chunks: Buffer[], rounds: number): { perSec: number; floorPerSec: number } {
  const all = Buffer.concat(chunks);
  let chars = 0;
  const onValue = (v: string) => {
    chars += v.length;
  };
  let best = 0;
  let bestFloor = 0;
  fewHeadersOnly(all, onValue);
  for (let r = 0; r < rounds; r++) {
    let t = process.hrtime.bigint();
    const blocks = splitBlocksOnly(chunks);
    bestFloor = Math.max(bestFloor, blocks / (Number(process.hrtime.bigint() - t) / 1e9));
    t = process.hrtime.bigint();
    const n = fewHeadersOnly(all, onValue);
    best = Math.max(best, n / (Number(process.hrtime.bigint() - t) / 1e9));
  }
  if (chars === 0) throw new Error('the lower-bound reader found no header values');
  return { perSec: best, floorPerSec: bestFloor };
}

const gc = (globalThis as { gc?: () => void }).gc;

export const suite: BenchSuite = {
  name: 'tracker',
  about: 'AMI bytes to tracked calls, parse + track, vs a split-only floor (issue 3); memory per call in flight with 10,000 calls',
  async run(): Promise<BenchFigure[]> {
    const input = amiBenchInput();
    let state: TrackerState = initialState();
    let finished = 0;
    const onMessage = (m: AmiMessage) => {
      const r = track(state, m);
      state = r.state;
      for (const e of r.emitted) if (e.stage === 'call_ended') finished++;
    };
    const beforeRound = () => {
      state = initialState();
      finished = 0;
    };
    // The engine's path: the parser skips, undecoded, the events and headers the tracker does not read.
    const t = measureAmiThroughput(onMessage, 9, input, { parser: { only: TRACKER_AMI_ONLY }, beforeRound });
    const calls = finished;
    const left = state.calls.size;
    // For reference: every event and header decoded, as a client without `only` gets them.
    const whole = measureAmiThroughput(onMessage, 5, input, { beforeRound });
    const few = measureFewHeaders(input.chunks, 7);

    state = initialState(); // drop the throughput run's calls before measuring memory
    gc?.();
    gc?.();
    const before = process.memoryUsage().heapUsed;
    let s = initialState();
    // Events are made and dropped call by call, so what stays on the heap is what the tracker keeps.
    for (let i = 0; i < CALLS; i++) for (const e of callEvents(i)) s = track(s, e).state;
    gc?.();
    gc?.();
    const perCall = (process.memoryUsage().heapUsed - before) / CALLS;
    const inFlight = (s as unknown as { calls: Map<string, unknown> }).calls.size;
    if (inFlight !== CALLS) throw new Error(`expected ${CALLS} calls in flight, the tracker holds ${inFlight}`);
    return [
      {
        key: 'tracker.parseTrackEventsPerSec',
        label: `AMI bytes to finished calls: parse (TRACKER_AMI_ONLY) + track, call_full at every stage (${(input.bytes / 2 ** 20).toFixed(0)} MiB, ${input.messages} events, ${calls} calls finished, ${left} left open)`,
        value: t.messagesPerSec,
        unit: 'events/s',
        baseline: { label: 'split into blocks only', value: t.floorBlocksPerSec },
        target: { text: '≥200,000 events/s and ≥40% of the floor', met: t.messagesPerSec >= 200_000 && t.ratio >= 0.4 },
      },
      {
        key: 'tracker.parseWholeTrackEventsPerSec',
        label: 'the same with every event and header decoded (no `only`), for reference',
        value: whole.messagesPerSec,
        unit: 'events/s',
        baseline: { label: 'split into blocks only', value: whole.floorBlocksPerSec },
      },
      {
        key: 'tracker.sixHeadersLowerBoundPerSec',
        label: 'lower bound for any JavaScript reader, for reference: each block decoded and six headers found by native search, nothing parsed or tracked',
        value: few.perSec,
        unit: 'blocks/s',
        baseline: { label: 'split into blocks only', value: few.floorPerSec },
      },
      {
        key: 'tracker.bytesPerCallInFlight',
        label: `heap per call in flight, ${CALLS.toLocaleString('en')} concurrent two-channel calls${gc ? '' : ' (no --expose-gc: rough)'}`,
        value: perCall,
        unit: 'bytes',
      },
    ];
  },
};
