import { type MtaStsResult } from './mta-sts-resolver.service';
import { assessTls } from './tls-assessment';
import { type TlsProbeResult } from './tls-probe-result';

const MX = 'mx1.example.net';

function probe(overrides: Partial<TlsProbeResult> = {}): TlsProbeResult {
  return {
    host: '192.0.2.1',
    port: 25,
    servername: MX,
    starttls: true,
    tlsVersion: 'TLSv1.3',
    cipher: 'TLS_AES_256_GCM_SHA384',
    certificateVerified: true,
    requireTls: false,
    probedAt: new Date(),
    ...overrides,
  };
}

function policy(mode: 'enforce' | 'testing' | 'none', mx: string[]): MtaStsResult {
  return { kind: 'policy', mode, mx, maxAge: 86400, id: 'id1' };
}

describe('assessTls', () => {
  it('accepts a verified probe when the domain has no MTA-STS policy', () => {
    expect(assessTls(probe(), { kind: 'none' }, MX)).toEqual({
      usable: true,
      reasons: ['mx1.example.net offers TLSv1.3 with a verified certificate'],
      requireTls: false,
    });
  });

  it('passes REQUIRETLS on only when the MX is usable for TLS', () => {
    const offered = probe({ requireTls: true });

    expect(assessTls(offered, { kind: 'none' }, MX).requireTls).toBe(true);
    expect(assessTls(offered, policy('enforce', ['mx9.example.org']), MX).requireTls).toBe(false);
  });

  it('accepts an MX that an enforce policy lists, also through a wildcard', () => {
    const exact = assessTls(probe(), policy('enforce', [MX]), MX);
    const wildcard = assessTls(probe(), policy('enforce', ['*.example.net']), MX);

    expect(exact.usable).toBe(true);
    expect(exact.reasons).toContain('MTA-STS enforce: mx1.example.net listed');
    expect(wildcard.usable).toBe(true);
  });

  it('refuses an MX that an enforce policy does not list', () => {
    const result = assessTls(probe(), policy('enforce', ['mx9.example.org']), MX);

    expect(result.usable).toBe(false);
    expect(result.reasons).toContain('MTA-STS enforce: mx1.example.net not listed');
  });

  it('only notes an MX that a testing policy does not list', () => {
    const result = assessTls(probe(), policy('testing', ['mx9.example.org']), MX);

    expect(result.usable).toBe(true);
    expect(result.reasons).toContain('MTA-STS testing: mx1.example.net not listed');
  });

  it('ignores the mx list of a none policy', () => {
    expect(assessTls(probe(), policy('none', []), MX).usable).toBe(true);
  });

  it('refuses a failed probe with its reason, even when MTA-STS lists the MX', () => {
    const failed = probe({
      starttls: false,
      certificateVerified: false,
      tlsVersion: undefined,
      failure: { code: 'no_starttls', reason: 'mx1.example.net offered no STARTTLS' },
    });

    const result = assessTls(failed, policy('enforce', [MX]), MX);

    expect(result.usable).toBe(false);
    expect(result.reasons[0]).toBe('mx1.example.net offered no STARTTLS');
  });

  it('notes an unreadable policy without refusing a verified probe', () => {
    const error: MtaStsResult = {
      kind: 'error',
      reason: 'MTA-STS policy for example.net: HTTP 404',
    };

    expect(assessTls(probe(), error, MX)).toEqual({
      usable: true,
      reasons: [
        'mx1.example.net offers TLSv1.3 with a verified certificate',
        'MTA-STS policy for example.net: HTTP 404',
      ],
      requireTls: false,
    });
  });
});
