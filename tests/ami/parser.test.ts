import { describe, expect, it } from 'vitest';
import { AmiParser, parseAmi, parseAmiText, header, headers, type AmiMessage, type AmiProblem } from '../../ami-wire/index.ts';

const CRLF = '\r\n';
const block = (...lines: string[]) => lines.map((l) => l + CRLF).join('') + CRLF;

function feed(parser: AmiParser, bytes: Buffer, step: number): { messages: AmiMessage[]; problems: AmiProblem[] } {
  const messages: AmiMessage[] = [];
  const problems: AmiProblem[] = [];
  for (let i = 0; i < bytes.length; i += step) {
    const r = parser.push(bytes.subarray(i, i + step));
    messages.push(...r.messages);
    problems.push(...r.problems);
  }
  const e = parser.end();
  return { messages: [...messages, ...e.messages], problems: [...problems, ...e.problems] };
}

describe('AmiParser framing', () => {
  it('parses blocks of Key: Value lines ended by an empty line', () => {
    const r = new AmiParser().push(Buffer.from(block('Event: Newchannel', 'Privilege: call,all', 'Channel: PJSIP/101-1')));
    expect(r.messages).toEqual([{ Event: 'Newchannel', Privilege: 'call,all', Channel: 'PJSIP/101-1' }]);
    expect(r.problems).toEqual([]);
  });

  it('gives the same messages whatever the chunk boundaries', () => {
    const bytes = Buffer.from(
      block('Event: A', 'CallerIDName: Ñandú 名前', 'X: 1') + block('Response: Success', 'ActionID: 7') + block('Event: B'),
    );
    const whole = feed(new AmiParser(), bytes, bytes.length);
    for (const step of [1, 2, 3, 5, 13]) expect(feed(new AmiParser(), bytes, step)).toEqual(whole);
    expect(whole.messages).toHaveLength(3);
    expect(whole.messages[0]?.['CallerIDName']).toBe('Ñandú 名前');
  });

  it('keeps every value of a repeated header, in wire order', () => {
    const [m] = parseAmiText(block('Event: Hangup', 'ChanVariable: A=1', 'Uniqueid: 1.1', 'ChanVariable: B=2', 'ChanVariable: C=3'));
    expect(m?.['ChanVariable']).toEqual(['A=1', 'B=2', 'C=3']);
    expect(header(m!, 'ChanVariable')).toBe('A=1');
    expect(headers(m!, 'Uniqueid')).toEqual(['1.1']);
  });

  it('keeps key case, strips blanks before the value only, and reads an empty value', () => {
    const [m] = parseAmiText(block('Event: CEL', 'CallerIDnum:   101  ', 'AccountCode: ', 'Userfield:'));
    expect(m).toEqual({ Event: 'CEL', CallerIDnum: '101  ', AccountCode: '', Userfield: '' });
  });

  it('splits a line on its first colon only', () => {
    const [m] = parseAmiText(block('Event: VarSet', 'Value: sip:101@host:5060'));
    expect(m?.['Value']).toBe('sip:101@host:5060');
  });

  it('reads the banner line, which has no empty line after it, and delivers no message for it', () => {
    const p = new AmiParser();
    const r = p.push(Buffer.from('Asterisk Call Manager/5.0.5\r\n' + block('Response: Success', 'Message: Authentication accepted')));
    expect(p.banner).toBe('5.0.5');
    expect(r.messages).toEqual([{ Response: 'Success', Message: 'Authentication accepted' }]);
    expect(r.problems).toEqual([]);
  });

  it('reads Asterisk 13 Command output (bare-LF lines, blank lines) as one Output value', () => {
    const raw = 'Response: Follows\r\nPrivilege: Command\r\nActionID: 9\r\nline 1\n\nline: 3\n--END COMMAND--\r\n\r\n';
    const r = new AmiParser().push(Buffer.from(raw));
    expect(r.messages).toEqual([{ Response: 'Follows', Privilege: 'Command', ActionID: '9', Output: 'line 1\n\nline: 3\n' }]);
    expect(r.problems).toEqual([]);
  });

  it('reads text written with LF line ends and a missing final empty line (parseAmiText)', () => {
    expect(parseAmiText('Event: A\nX: 1\n\nEvent: B\nY: 2')).toEqual([{ Event: 'A', X: '1' }, { Event: 'B', Y: '2' }]);
  });
});

describe('AmiParser faults: each reported once, later messages parsed right', () => {
  const after = block('Event: After', 'Ok: yes');

  it('keeps a bare LF inside a value and reports it', () => {
    const r = new AmiParser().push(Buffer.from(block('Event: VarSet', 'Value: a\nInjected: b') + after));
    expect(r.messages).toEqual([{ Event: 'VarSet', Value: 'a\nInjected: b' }, { Event: 'After', Ok: 'yes' }]);
    expect(r.problems.map((p) => p.code)).toEqual(['AMI_BARE_LF']);
  });

  it('drops a block without Event or Response and reports it', () => {
    const r = new AmiParser().push(Buffer.from(block('Channel: X', 'Foo: bar') + after));
    expect(r.messages).toEqual([{ Event: 'After', Ok: 'yes' }]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.code).toBe('AMI_NO_EVENT_OR_RESPONSE');
    expect(r.problems[0]?.message).toContain('Channel: X');
  });

  it('reports garbage bytes once and parses what follows', () => {
    const garbage = Buffer.from([0x00, 0x01, 0x02, 0x7f, 0x20, 0x0d, 0x0a, 0x3a, 0x3a, 0x0d, 0x0a, 0x0d, 0x0a]);
    const r = feed(new AmiParser(), Buffer.concat([garbage, Buffer.from(after)]), 4);
    expect(r.messages).toEqual([{ Event: 'After', Ok: 'yes' }]);
    expect(r.problems).toHaveLength(1);
  });

  it('skips a 1 MB line without buffering it, reports it once, and drops its block', () => {
    const big = Buffer.concat([Buffer.from('Event: Big\r\nAppData: '), Buffer.alloc(1024 * 1024, 0x61), Buffer.from('\r\n\r\n' + after)]);
    const p = new AmiParser();
    const r = feed(p, big, 16 * 1024);
    expect(r.messages).toEqual([{ Event: 'After', Ok: 'yes' }]);
    expect(r.problems.map((x) => x.code)).toEqual(['AMI_LINE_TOO_LONG']);
    expect((p as unknown as { pending: string }).pending.length).toBeLessThanOrEqual(64 * 1024 + 16 * 1024);
  });

  it('drops a block above the block size limit and reports it once', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `H${i}: ${'x'.repeat(100)}`);
    const r = new AmiParser({ maxBlockLength: 2000 }).push(Buffer.from(block('Event: Huge', ...lines) + after));
    expect(r.messages).toEqual([{ Event: 'After', Ok: 'yes' }]);
    expect(r.problems.map((x) => x.code)).toEqual(['AMI_BLOCK_TOO_LARGE']);
  });

  it('replaces invalid UTF-8, reports it once, and keeps the message', () => {
    const bad = Buffer.concat([Buffer.from('Event: Newchannel\r\nCallerIDName: A'), Buffer.from([0xff, 0xfe]), Buffer.from('B\r\n\r\n' + after)]);
    const r = feed(new AmiParser(), bad, 3);
    expect(r.messages[0]?.['CallerIDName']).toBe('A\uFFFD\uFFFDB');
    expect(r.messages[1]).toEqual({ Event: 'After', Ok: 'yes' });
    expect(r.problems.map((x) => x.code)).toEqual(['AMI_INVALID_UTF8']);
  });

  it('does not report a real U+FFFD sent as valid UTF-8', () => {
    const r = new AmiParser().push(Buffer.from(block('Event: A', 'X: \uFFFD')));
    expect(r.problems).toEqual([]);
  });

  it('refuses a header named __proto__ without touching the prototype', () => {
    const r = new AmiParser().push(Buffer.from(block('Event: A', '__proto__: polluted')));
    expect(Object.getPrototypeOf(r.messages[0])).toBe(Object.prototype);
    expect(r.problems.map((x) => x.code)).toEqual(['AMI_BAD_HEADER_NAME']);
  });

  it('reports a block cut off by the end of the stream and does not deliver it', () => {
    const p = new AmiParser();
    const a = p.push(Buffer.from(after + 'Event: Half\r\nX: 1\r\n'));
    const b = p.end();
    expect(a.messages).toEqual([{ Event: 'After', Ok: 'yes' }]);
    expect(b.messages).toEqual([]);
    expect(b.problems.map((x) => x.code)).toEqual(['AMI_TRUNCATED']);
  });

  it('reads actions with bare LF line ends when told to (server side)', () => {
    const r = new AmiParser({ requiredKeys: ['Action'], bareLf: 'line-end' }).push(Buffer.from('Action: Ping\nActionID: 1\n\n'));
    expect(r.messages).toEqual([{ Action: 'Ping', ActionID: '1' }]);
  });

  it('parseAmi returns the problems that parseAmiText leaves out', () => {
    const r = parseAmi(block('NoEvent: 1') + after);
    expect(r.messages).toHaveLength(1);
    expect(r.problems).toHaveLength(1);
  });
});

describe('AmiParser only (what the reader needs)', () => {
  const only = { events: ['Newchannel', 'Hangup'], headers: ['Event', 'Uniqueid', 'Channel'] };
  const stream = Buffer.from(
    block('Event: Newchannel', 'Privilege: call,all', 'Channel: PJSIP/101-1', 'CallerIDName: Ñandú 名前', 'Uniqueid: 1.1') +
      block('Event: VarSet', 'Channel: PJSIP/101-1', 'Variable: X', 'Value: sip:101@host:5060') +
      block('Response: Success', 'ActionID: 7', 'Message: Pong') +
      block('Event: RTCPSent', 'To: 10.0.0.1:5060') +
      block('Privilege: call,all', 'Event: Odd') +
      block('Event: Hangup', 'Channel: PJSIP/101-1', 'Uniqueid: 1.1', 'Cause: 16'),
  );
  const expected = [
    { Event: 'Newchannel', Channel: 'PJSIP/101-1', Uniqueid: '1.1' },
    { Response: 'Success', ActionID: '7', Message: 'Pong' },
    { Privilege: 'call,all', Event: 'Odd' },
    { Event: 'Hangup', Channel: 'PJSIP/101-1', Uniqueid: '1.1' },
  ];

  it('skips the events left out without delivering them, keeps only the listed headers, whatever the chunking', () => {
    for (const step of [1, 2, 3, 4, 5, 13, stream.length]) {
      const p = new AmiParser({ only });
      const r = feed(p, stream, step);
      expect(r.messages, `step ${step}`).toEqual(expected);
      expect(r.problems, `step ${step}`).toEqual([]);
      expect(p.skippedBlocks, `step ${step}`).toBe(2);
    }
  });

  it('delivers whole blocks while filtering is off, and filters again once it is back on', () => {
    const p = new AmiParser({ only });
    p.filtering = false;
    const whole = p.push(stream).messages;
    expect(whole).toHaveLength(6);
    expect(whole[0]?.['CallerIDName']).toBe('Ñandú 名前');
    p.filtering = true;
    expect(p.push(stream).messages).toEqual(expected);
  });

  it('skips a left-out block holding a 1 MB line without buffering it, and parses what follows', () => {
    const big = Buffer.concat([Buffer.from('Event: VarSet\r\nValue: '), Buffer.alloc(1024 * 1024, 0x61), Buffer.from('\r\n\r\n' + block('Event: Hangup', 'Uniqueid: 2.2'))]);
    const p = new AmiParser({ only });
    const messages: AmiMessage[] = [];
    for (let i = 0; i < big.length; i += 16 * 1024) {
      messages.push(...p.push(big.subarray(i, i + 16 * 1024)).messages);
      expect((p as unknown as { pending: string }).pending.length).toBeLessThanOrEqual(3);
    }
    expect(messages).toEqual([{ Event: 'Hangup', Uniqueid: '2.2' }]);
  });

  it('reports a stream that ends inside a skipped block', () => {
    const p = new AmiParser({ only });
    p.push(Buffer.from('Event: VarSet\r\nValue: 1\r\n'));
    expect(p.end().problems.map((x) => x.code)).toEqual(['AMI_TRUNCATED']);
  });
});
