import { DEFAULT_POLICY, type EncryptionPolicy } from './encryption-policy';
import { validatePolicy } from './encryption-policy.validator';

// A policy that sets every field away from the default, to prove nothing is lost or reshaped.
const CUSTOM_POLICY: EncryptionPolicy = {
  protection: {
    mode: 'rules',
    senders: ['cardiology@clinic.example', '@oncology.clinic.example'],
    recipientDomains: ['partner.example', '.nhs.example'],
    subjectTag: '[Secure]',
    honourHeader: false,
    detectors: {
      ssn: false,
      dateOfBirthNearName: true,
      icd10: false,
      medicalRecordNumbers: [String.raw`MRN[:\s]*\d{6,10}`],
      custom: [String.raw`\bHIV\b`],
    },
  },
  methodOrder: ['smime', 'pgp', 'portal'],
  domainOverrides: [
    { domain: 'gmail.example', action: 'force-portal' },
    { domain: '.lab.example', action: 'tls-exclusive' },
  ],
  optOut: { tag: '[public]', senders: ['@newsletter.clinic.example'] },
};

function withChanges(change: (policy: Record<string, any>) => void): unknown {
  const policy = JSON.parse(JSON.stringify(DEFAULT_POLICY)) as Record<string, any>;
  change(policy);
  return policy;
}

function problemsOf(input: unknown): unknown {
  const result = validatePolicy(input);
  return result.ok ? [] : result.problems;
}

describe('validatePolicy', () => {
  it('accepts the default policy unchanged', () => {
    expect(validatePolicy(DEFAULT_POLICY)).toEqual({ ok: true, policy: DEFAULT_POLICY });
  });

  it.each([
    ['default', DEFAULT_POLICY],
    ['custom', CUSTOM_POLICY],
  ])('accepts the %s policy after a JSON round trip, unchanged', (_name, policy) => {
    const stored: unknown = JSON.parse(JSON.stringify(policy));

    expect(validatePolicy(stored)).toEqual({ ok: true, policy });
  });

  it('lists every problem of a policy at once', () => {
    const input = {
      protection: {
        mode: 'sometimes',
        senders: ['not-an-address', '@clinic.example'],
        recipientDomains: ['bad_domain.example', 'localhost'],
        subjectTag: '  ',
        honourHeader: 'yes',
        detectors: {
          ssn: true,
          dateOfBirthNearName: true,
          icd10: true,
          medicalRecordNumbers: ['(a+)+'],
          custom: ['[unclosed', '.*'],
        },
      },
      methodOrder: ['pgp', 'fax', 'pgp'],
      domainOverrides: [
        { domain: 'gmail.example', action: 'encrypt' },
        { domain: 'Gmail.example', action: 'force-portal' },
      ],
      optOut: { tag: 'x'.repeat(33), senders: [] },
      colour: 'blue',
    };

    expect(problemsOf(input)).toEqual(
      expect.arrayContaining([
        { path: 'protection.mode', message: 'must be one of always, rules' },
        { path: 'protection.senders[0]', message: 'is not a valid address or @domain' },
        {
          path: 'protection.recipientDomains[0]',
          message: 'is not a valid domain (example.org or .example.org)',
        },
        {
          path: 'protection.recipientDomains[1]',
          message: 'is not a valid domain (example.org or .example.org)',
        },
        {
          path: 'protection.subjectTag',
          message: 'must not be empty (use null to turn it off)',
        },
        { path: 'protection.honourHeader', message: 'must be true or false' },
        {
          path: 'protection.detectors.medicalRecordNumbers[0]',
          message:
            'repeats a group that itself repeats, like (a+)+, which can take exponential time',
        },
        {
          path: 'protection.detectors.custom[0]',
          message: 'is not a valid regular expression (Unicode mode)',
        },
        {
          path: 'protection.detectors.custom[1]',
          message: 'matches an empty text, so it would flag every message',
        },
        { path: 'methodOrder[1]', message: 'is not a known method (pgp, smime, tls, portal)' },
        { path: 'methodOrder[2]', message: 'repeats a method' },
        {
          path: 'domainOverrides[0].action',
          message: 'is not a known action (force-portal, tls-exclusive)',
        },
        { path: 'domainOverrides[1].domain', message: 'repeats a domain overridden before' },
        { path: 'optOut.tag', message: 'must be at most 32 characters' },
        { path: 'colour', message: 'is not a known setting' },
      ]),
    );
    expect(problemsOf(input)).toHaveLength(15);
  });

  it('refuses an empty method order', () => {
    const input = withChanges((policy) => {
      policy.methodOrder = [];
    });

    expect(problemsOf(input)).toEqual([
      { path: 'methodOrder', message: 'must name at least one method' },
    ]);
  });

  it('names each missing field and a policy that is not an object', () => {
    const input = withChanges((policy) => {
      delete policy.methodOrder;
      delete policy.protection.detectors.ssn;
    });

    expect(problemsOf(input)).toEqual([
      { path: 'protection.detectors.ssn', message: 'is required' },
      { path: 'methodOrder', message: 'is required' },
    ]);
    expect(problemsOf('pgp')).toEqual([{ path: '(policy)', message: 'must be an object' }]);
  });

  it('refuses an opt-out tag equal to the subject tag in another case', () => {
    const input = withChanges((policy) => {
      policy.optOut.tag = '[SECURE]';
    });

    expect(problemsOf(input)).toEqual([
      { path: 'optOut.tag', message: 'must differ from protection.subjectTag' },
    ]);
  });

  it('refuses rules mode when no rule, tag, header or detector could ever apply', () => {
    const input = withChanges((policy) => {
      policy.protection.mode = 'rules';
      policy.protection.subjectTag = null;
      policy.protection.honourHeader = false;
      policy.protection.detectors = { ...policy.protection.detectors, ssn: false, icd10: false };
      policy.protection.detectors.dateOfBirthNearName = false;
    });
    const withHeader = withChanges((policy) => {
      policy.protection.mode = 'rules';
      policy.protection.subjectTag = null;
    });

    expect(problemsOf(input)).toEqual([
      {
        path: 'protection.mode',
        message: 'rules mode needs at least one sender, domain, tag, header or detector',
      },
    ]);
    expect(validatePolicy(withHeader).ok).toBe(true);
  });

  it('refuses tags with control characters and patterns beyond the length limit', () => {
    const input = withChanges((policy) => {
      policy.protection.subjectTag = '[secure]\r\nBcc: x';
      policy.protection.detectors.custom = ['a'.repeat(201)];
    });

    expect(problemsOf(input)).toEqual([
      { path: 'protection.subjectTag', message: 'must not contain control characters' },
      { path: 'protection.detectors.custom[0]', message: 'must be at most 200 characters' },
    ]);
  });

  it('never quotes a submitted value in its messages', () => {
    const marker = 'Jane Doe 123-45-6789';
    const input = withChanges((policy) => {
      policy.protection.mode = marker;
      policy.protection.senders = [marker];
      policy.protection.subjectTag = marker;
      policy.protection.detectors.custom = [`(${marker}`];
      policy.methodOrder = [marker];
      policy.domainOverrides = [{ domain: marker, action: marker }];
      policy.optOut = { tag: 42, senders: marker };
    });

    const problems = problemsOf(input) as { message: string }[];

    expect(problems.length).toBeGreaterThanOrEqual(8);
    expect(JSON.stringify(problems)).not.toContain('Jane');
    expect(JSON.stringify(problems)).not.toContain('6789');
    expect(JSON.stringify(problems)).not.toContain('42');
  });

  it('accepts directory group ids in protection and opt-out, and refuses malformed ones', () => {
    const groups = withChanges((policy) => {
      policy.protection.senderGroups = ['5b1f3e0a-2c4d-4e6f-8a9b-0c1d2e3f4a5b'];
      policy.optOut.senderGroups = ['billing@clinic.example'];
    });
    const bad = withChanges((policy) => {
      policy.protection.senderGroups = ['not a group id'];
    });

    expect(validatePolicy(groups).ok).toBe(true);
    expect(validatePolicy(bad)).toEqual({
      ok: false,
      problems: [
        { path: 'protection.senderGroups[0]', message: 'is not a valid directory group id' },
      ],
    });
  });
});
