import { mxMatchesPolicy, parseMtaStsPolicy, parseMtaStsTxt } from './mta-sts-policy';

describe('parseMtaStsTxt', () => {
  it('reads the id of a v=STSv1 record split across character strings', () => {
    expect(parseMtaStsTxt([['v=STSv1; id=2024', '0101T1;']])).toEqual({
      kind: 'record',
      id: '20240101T1',
    });
  });

  it('ignores TXT records of other protocols', () => {
    expect(parseMtaStsTxt([['v=spf1 -all'], ['v=STSv1; id=abc']])).toEqual({
      kind: 'record',
      id: 'abc',
    });
    expect(parseMtaStsTxt([['v=spf1 -all']])).toEqual({ kind: 'absent' });
  });

  it('accepts extension fields and no trailing semicolon', () => {
    expect(parseMtaStsTxt([['v=STSv1;id=x1 ; ext_1=val']])).toEqual({ kind: 'record', id: 'x1' });
  });

  it('treats two v=STSv1 records, a missing id or a bad id as invalid', () => {
    expect(parseMtaStsTxt([['v=STSv1; id=a;'], ['v=STSv1; id=b;']]).kind).toBe('invalid');
    expect(parseMtaStsTxt([['v=STSv1; other=1;']]).kind).toBe('invalid');
    expect(parseMtaStsTxt([['v=STSv1; id=has-dash;']]).kind).toBe('invalid');
    expect(parseMtaStsTxt([[`v=STSv1; id=${'a'.repeat(33)};`]]).kind).toBe('invalid');
  });
});

describe('parseMtaStsPolicy', () => {
  const enforce = [
    'version: STSv1',
    'mode: enforce',
    'mx: MX1.Example.NET.',
    'mx: *.example.net',
    'max_age: 604800',
  ].join('\r\n');

  it('reads mode, mx patterns in lower case and max_age', () => {
    expect(parseMtaStsPolicy(enforce)).toEqual({
      ok: true,
      policy: { mode: 'enforce', mx: ['mx1.example.net', '*.example.net'], maxAge: 604800 },
    });
  });

  it('accepts LF line ends, unknown fields and a trailing blank line', () => {
    const body = 'version: STSv1\nmode: testing\nmx: mx.example.org\nmax_age: 86400\nfuture: x\n\n';
    const parsed = parseMtaStsPolicy(body);
    expect(parsed.ok && parsed.policy.mode).toBe('testing');
  });

  it('accepts a none policy without mx', () => {
    expect(parseMtaStsPolicy('version: STSv1\nmode: none\nmax_age: 0\n')).toEqual({
      ok: true,
      policy: { mode: 'none', mx: [], maxAge: 0 },
    });
  });

  it('uses the first occurrence of a repeated single-valued field', () => {
    const body = 'version: STSv1\nmode: enforce\nmode: none\nmx: a.example\nmax_age: 60\n';
    const parsed = parseMtaStsPolicy(body);
    expect(parsed.ok && parsed.policy.mode).toBe('enforce');
  });

  it.each([
    ['a wrong version', 'version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 60'],
    ['an unknown mode', 'version: STSv1\nmode: strict\nmx: a.example\nmax_age: 60'],
    ['an enforce policy without mx', 'version: STSv1\nmode: enforce\nmax_age: 60'],
    ['a max_age above one year', 'version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601'],
    ['a negative max_age', 'version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1'],
    ['a malformed line', '<html>\nversion: STSv1\nmode: enforce\nmx: a.example\nmax_age: 60'],
    ['a malformed mx', 'version: STSv1\nmode: enforce\nmx: a..example\nmax_age: 60'],
  ])('rejects %s', (_name, body) => {
    expect(parseMtaStsPolicy(body).ok).toBe(false);
  });
});

describe('mxMatchesPolicy', () => {
  const patterns = ['mail.example.com', '*.example.net'];

  it('matches exact names regardless of case and trailing dot', () => {
    expect(mxMatchesPolicy('Mail.Example.com.', patterns)).toBe(true);
    expect(mxMatchesPolicy('mail2.example.com', patterns)).toBe(false);
  });

  it('lets a wildcard stand for exactly one leftmost label', () => {
    expect(mxMatchesPolicy('mx1.example.net', patterns)).toBe(true);
    expect(mxMatchesPolicy('example.net', patterns)).toBe(false);
    expect(mxMatchesPolicy('a.b.example.net', patterns)).toBe(false);
    expect(mxMatchesPolicy('mx1.badexample.net', patterns)).toBe(false);
  });
});
