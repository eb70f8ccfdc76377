import { assessTls } from '../tls-probe/tls-assessment';
import { type MtaStsResult } from '../tls-probe/mta-sts-resolver.service';
import { type TlsProbeFailure, type TlsProbeResult } from '../tls-probe/tls-probe-result';
import { DEFAULT_POLICY, type DomainOverride, type EncryptionPolicy } from './encryption-policy';
import { decideMethod, type MethodDecisionInput } from './method-decider';
import { requiresProtection } from './protection-requirement';

const MX = 'mx.example.test';

function probe(failure?: TlsProbeFailure): TlsProbeResult {
  return {
    host: MX,
    port: 25,
    servername: MX,
    starttls: failure?.code !== 'no_starttls',
    tlsVersion: failure ? undefined : 'TLSv1.3',
    certificateVerified: !failure,
    requireTls: false,
    failure,
    probedAt: new Date('2025-01-01T00:00:00Z'),
  };
}

const NO_MTA_STS: MtaStsResult = { kind: 'none' };
const ENFORCE_OTHER_MX: MtaStsResult = {
  kind: 'policy',
  mode: 'enforce',
  mx: ['mx1.other.test'],
  maxAge: 86_400,
  id: '20250101',
};

// The TLS side of each case comes from the real assessment of a probe and an MTA-STS policy.
const TLS = {
  verified: assessTls(probe(), NO_MTA_STS, MX),
  noStarttls: assessTls(
    probe({ code: 'no_starttls', reason: `${MX} offered no STARTTLS` }),
    NO_MTA_STS,
    MX,
  ),
  badCert: assessTls(
    probe({ code: 'certificate_expired', reason: `${MX} presented an expired certificate` }),
    NO_MTA_STS,
    MX,
  ),
  stsUnlisted: assessTls(probe(), ENFORCE_OTHER_MX, MX),
};
type MxState = keyof typeof TLS;
type Override = 'none' | DomainOverride['action'];

const PGP_OK = 'PGP key known';
const NO_PGP = 'no PGP key';
const CERT_OK = 'S/MIME certificate known';
const NO_CERT = 'no S/MIME certificate';
const TLS_OK = `${MX} offers TLSv1.3 with a verified certificate`;
const NO_STARTTLS = `${MX} offered no STARTTLS`;
const BAD_CERT = `${MX} presented an expired certificate`;
const UNLISTED = `MTA-STS enforce: ${MX} not listed`;
const PORTAL = 'secure portal';
const FORCE = 'domain override: force portal';
const EXCL = 'domain override: TLS exclusive';

function input(changes: Partial<MethodDecisionInput> = {}): MethodDecisionInput {
  return {
    policy: DEFAULT_POLICY,
    protectionRequired: true,
    recipientDomain: 'example.test',
    pgp: { usable: false },
    smime: { usable: false },
    tls: TLS.verified,
    portalAvailable: true,
    ...changes,
  };
}

function policyWith(override: Override): EncryptionPolicy {
  const domainOverrides = override === 'none' ? [] : [{ domain: 'example.test', action: override }];
  return { ...DEFAULT_POLICY, domainOverrides };
}

type Row = [boolean, boolean, MxState, Override, string, 'send' | 'drop', string[]];

// prettier-ignore
const MATRIX: Row[] = [
  // key known, certificate known, MX, override -> method, action, reasons
  [true, true, 'verified', 'none', 'pgp', 'send', [PGP_OK]],
  [true, true, 'noStarttls', 'none', 'pgp', 'send', [PGP_OK]],
  [true, true, 'badCert', 'none', 'pgp', 'send', [PGP_OK]],
  [true, true, 'stsUnlisted', 'none', 'pgp', 'send', [PGP_OK]],
  [true, false, 'verified', 'none', 'pgp', 'send', [PGP_OK]],
  [true, false, 'noStarttls', 'none', 'pgp', 'send', [PGP_OK]],
  [true, false, 'badCert', 'none', 'pgp', 'send', [PGP_OK]],
  [true, false, 'stsUnlisted', 'none', 'pgp', 'send', [PGP_OK]],
  [false, true, 'verified', 'none', 'smime', 'send', [NO_PGP, CERT_OK]],
  [false, true, 'noStarttls', 'none', 'smime', 'send', [NO_PGP, CERT_OK]],
  [false, true, 'badCert', 'none', 'smime', 'send', [NO_PGP, CERT_OK]],
  [false, true, 'stsUnlisted', 'none', 'smime', 'send', [NO_PGP, CERT_OK]],
  [false, false, 'verified', 'none', 'tls', 'send', [NO_PGP, NO_CERT, TLS_OK]],
  [false, false, 'noStarttls', 'none', 'portal', 'send', [NO_PGP, NO_CERT, NO_STARTTLS, PORTAL]],
  [false, false, 'badCert', 'none', 'portal', 'send', [NO_PGP, NO_CERT, BAD_CERT, PORTAL]],
  [false, false, 'stsUnlisted', 'none', 'portal', 'send',
    [NO_PGP, NO_CERT, TLS_OK, UNLISTED, PORTAL]],
  [true, true, 'verified', 'force-portal', 'portal', 'send', [FORCE]],
  [true, true, 'noStarttls', 'force-portal', 'portal', 'send', [FORCE]],
  [true, true, 'badCert', 'force-portal', 'portal', 'send', [FORCE]],
  [true, true, 'stsUnlisted', 'force-portal', 'portal', 'send', [FORCE]],
  [true, false, 'verified', 'force-portal', 'portal', 'send', [FORCE]],
  [true, false, 'noStarttls', 'force-portal', 'portal', 'send', [FORCE]],
  [true, false, 'badCert', 'force-portal', 'portal', 'send', [FORCE]],
  [true, false, 'stsUnlisted', 'force-portal', 'portal', 'send', [FORCE]],
  [false, true, 'verified', 'force-portal', 'portal', 'send', [FORCE]],
  [false, true, 'noStarttls', 'force-portal', 'portal', 'send', [FORCE]],
  [false, true, 'badCert', 'force-portal', 'portal', 'send', [FORCE]],
  [false, true, 'stsUnlisted', 'force-portal', 'portal', 'send', [FORCE]],
  [false, false, 'verified', 'force-portal', 'portal', 'send', [FORCE]],
  [false, false, 'noStarttls', 'force-portal', 'portal', 'send', [FORCE]],
  [false, false, 'badCert', 'force-portal', 'portal', 'send', [FORCE]],
  [false, false, 'stsUnlisted', 'force-portal', 'portal', 'send', [FORCE]],
  [true, true, 'verified', 'tls-exclusive', 'tls', 'send', [EXCL, TLS_OK]],
  [true, true, 'noStarttls', 'tls-exclusive', 'none', 'drop', [EXCL, NO_STARTTLS]],
  [true, true, 'badCert', 'tls-exclusive', 'none', 'drop', [EXCL, BAD_CERT]],
  [true, true, 'stsUnlisted', 'tls-exclusive', 'none', 'drop', [EXCL, TLS_OK, UNLISTED]],
  [true, false, 'verified', 'tls-exclusive', 'tls', 'send', [EXCL, TLS_OK]],
  [true, false, 'noStarttls', 'tls-exclusive', 'none', 'drop', [EXCL, NO_STARTTLS]],
  [true, false, 'badCert', 'tls-exclusive', 'none', 'drop', [EXCL, BAD_CERT]],
  [true, false, 'stsUnlisted', 'tls-exclusive', 'none', 'drop', [EXCL, TLS_OK, UNLISTED]],
  [false, true, 'verified', 'tls-exclusive', 'tls', 'send', [EXCL, TLS_OK]],
  [false, true, 'noStarttls', 'tls-exclusive', 'none', 'drop', [EXCL, NO_STARTTLS]],
  [false, true, 'badCert', 'tls-exclusive', 'none', 'drop', [EXCL, BAD_CERT]],
  [false, true, 'stsUnlisted', 'tls-exclusive', 'none', 'drop', [EXCL, TLS_OK, UNLISTED]],
  [false, false, 'verified', 'tls-exclusive', 'tls', 'send', [EXCL, TLS_OK]],
  [false, false, 'noStarttls', 'tls-exclusive', 'none', 'drop', [EXCL, NO_STARTTLS]],
  [false, false, 'badCert', 'tls-exclusive', 'none', 'drop', [EXCL, BAD_CERT]],
  [false, false, 'stsUnlisted', 'tls-exclusive', 'none', 'drop', [EXCL, TLS_OK, UNLISTED]],
];

describe('decideMethod', () => {
  it('has a matrix row for every combination of key, certificate, MX and override', () => {
    const combinations = new Set(MATRIX.map((row) => row.slice(0, 4).join(',')));

    expect(combinations.size).toBe(2 * 2 * Object.keys(TLS).length * 3);
    expect(MATRIX).toHaveLength(combinations.size);
  });

  it.each(MATRIX)(
    'key %s, certificate %s, MX %s, override %s: %s, %s',
    (key, certificate, mx, override, method, action, reasons) => {
      const decision = decideMethod(
        input({
          policy: policyWith(override),
          pgp: { usable: key },
          smime: { usable: certificate },
          tls: TLS[mx],
        }),
      );

      expect(decision).toEqual({ method, action, reasons });
    },
  );

  it('passes on why a key or certificate cannot be used', () => {
    const decision = decideMethod(
      input({
        pgp: { usable: false, reason: 'PGP key expired' },
        smime: { usable: false, reason: 'certificate expired' },
      }),
    );

    expect(decision.reasons).toEqual(['PGP key expired', 'certificate expired', TLS_OK]);
  });

  it('drops a protected message rather than send it in clear when no method is usable', () => {
    const decision = decideMethod(input({ tls: TLS.noStarttls, portalAvailable: false }));

    expect(decision).toEqual({
      method: 'none',
      action: 'drop',
      reasons: [
        NO_PGP,
        NO_CERT,
        NO_STARTTLS,
        'secure portal not available',
        'no usable method in the policy order',
      ],
    });
  });

  it('drops rather than fall back when force-portal meets an unavailable portal', () => {
    const decision = decideMethod(
      input({ policy: policyWith('force-portal'), pgp: { usable: true }, portalAvailable: false }),
    );

    expect(decision).toEqual({
      method: 'none',
      action: 'drop',
      reasons: [FORCE, 'secure portal not available'],
    });
  });

  it('follows the method order of the policy', () => {
    const policy: EncryptionPolicy = { ...DEFAULT_POLICY, methodOrder: ['tls', 'pgp'] };

    expect(decideMethod(input({ policy, pgp: { usable: true } })).method).toBe('tls');
    expect(decideMethod(input({ policy, tls: TLS.badCert })).action).toBe('drop');
  });

  it('records a reason for unusable TLS even when the assessment gave none', () => {
    const policy: EncryptionPolicy = { ...DEFAULT_POLICY, methodOrder: ['tls', 'portal'] };

    const decision = decideMethod(input({ policy, tls: { usable: false, reasons: [] } }));

    expect(decision.reasons).toEqual(['TLS not usable', PORTAL]);
  });

  it('applies the most specific domain override', () => {
    const policy: EncryptionPolicy = {
      ...DEFAULT_POLICY,
      domainOverrides: [
        { domain: '.example.test', action: 'force-portal' },
        { domain: 'lab.example.test', action: 'tls-exclusive' },
      ],
    };

    expect(decideMethod(input({ policy, recipientDomain: 'LAB.example.test' })).method).toBe('tls');
    expect(decideMethod(input({ policy, recipientDomain: 'gp.example.test' })).method).toBe(
      'portal',
    );
    expect(decideMethod(input({ policy, recipientDomain: 'example.test' })).method).toBe('tls');
  });

  describe('when protection is not required', () => {
    it('sends over TLS when the MX verifies, and in plain otherwise, saying why', () => {
      const base = { protectionRequired: false, pgp: { usable: true } };

      expect(decideMethod(input({ ...base }))).toEqual({
        method: 'tls',
        action: 'send',
        reasons: ['protection not required', TLS_OK],
      });
      expect(decideMethod(input({ ...base, tls: TLS.noStarttls }))).toEqual({
        method: 'none',
        action: 'send',
        reasons: ['protection not required', NO_STARTTLS, 'sent without TLS'],
      });
    });

    it('ignores force-portal but still drops for a TLS-exclusive domain without TLS', () => {
      const forced = input({ protectionRequired: false, policy: policyWith('force-portal') });
      const exclusive = input({
        protectionRequired: false,
        policy: policyWith('tls-exclusive'),
        tls: TLS.badCert,
      });

      expect(decideMethod(forced).method).toBe('tls');
      expect(decideMethod(exclusive)).toEqual({
        method: 'none',
        action: 'drop',
        reasons: [EXCL, BAD_CERT],
      });
    });
  });

  it('mixes methods across the recipients of one message', () => {
    const message = {
      from: 'jane.doe@clinic.example',
      subject: '[secure] Results',
      headers: {},
      text: 'Your results are attached.',
    };
    const recipients = [
      { domain: 'keys.example', pgp: { usable: true }, tls: TLS.verified },
      { domain: 'tls.example', pgp: { usable: false }, tls: TLS.verified },
      { domain: 'plain.example', pgp: { usable: false }, tls: TLS.noStarttls },
    ];

    const methods = recipients.map((recipient) => {
      const requirement = requiresProtection(DEFAULT_POLICY, {
        ...message,
        recipientDomain: recipient.domain,
      });
      return decideMethod(
        input({
          protectionRequired: requirement.required,
          recipientDomain: recipient.domain,
          pgp: recipient.pgp,
          tls: recipient.tls,
        }),
      );
    });

    expect(methods.map(({ method, action }) => `${method}/${action}`)).toEqual([
      'pgp/send',
      'tls/send',
      'portal/send',
    ]);
  });

  it('records where a usable PGP key came from when the directory says so', () => {
    const fromWkd = decideMethod(input({ pgp: { usable: true, reason: 'PGP key from WKD' } }));
    const stored = decideMethod(input({ pgp: { usable: true } }));

    expect(fromWkd).toEqual({ method: 'pgp', action: 'send', reasons: ['PGP key from WKD'] });
    expect(stored.reasons).toEqual([PGP_OK]);
  });
});
