import {
  DEFAULT_POLICY,
  type EncryptionPolicy,
  type ProtectionSettings,
} from './encryption-policy';
import { type ProtectionFacts, requiresProtection } from './protection-requirement';

// Rules mode with every trigger off, so each test turns on only the trigger it is about.
function rulesPolicy(
  protection: Partial<ProtectionSettings> = {},
  optOut: EncryptionPolicy['optOut'] = { tag: null, senders: [] },
): EncryptionPolicy {
  return {
    ...DEFAULT_POLICY,
    protection: {
      mode: 'rules',
      senders: [],
      recipientDomains: [],
      subjectTag: null,
      honourHeader: false,
      detectors: {
        ssn: false,
        dateOfBirthNearName: false,
        icd10: false,
        medicalRecordNumbers: [],
        custom: [],
      },
      ...protection,
    },
    optOut,
  };
}

function message(facts: Partial<ProtectionFacts> = {}): ProtectionFacts {
  return {
    from: 'Dr Jane Doe <jane.doe@clinic.example>',
    subject: 'Your appointment',
    headers: {},
    text: 'See you on Monday.',
    recipientDomain: 'patient.example',
    ...facts,
  };
}

const ALL_DETECTORS = {
  ssn: true,
  dateOfBirthNearName: true,
  icd10: true,
  medicalRecordNumbers: [String.raw`\bMRN\d{6}\b`],
  custom: [],
};

describe('requiresProtection', () => {
  it('protects every message under the default policy', () => {
    expect(requiresProtection(DEFAULT_POLICY, message())).toEqual({
      required: true,
      reasons: ['policy protects every message'],
      subjectAfterTags: 'Your appointment',
    });
  });

  it('does not protect a message no rule marks, and says so', () => {
    expect(requiresProtection(rulesPolicy({ honourHeader: true }), message())).toEqual({
      required: false,
      reasons: ['no protection rule matched'],
      subjectAfterTags: 'Your appointment',
    });
  });

  it('protects a message with the subject tag and removes the tag', () => {
    const policy = rulesPolicy({ subjectTag: '[secure]' });

    const result = requiresProtection(policy, message({ subject: '[Secure] Lab results' }));

    expect(result).toEqual({
      required: true,
      reasons: ['subject tag'],
      subjectAfterTags: 'Lab results',
    });
  });

  it.each([
    ['1', true],
    [' 1 ', true],
    ['true', true],
    ['0', false],
    ['', false],
  ])('treats X-Sealpost-Encrypt %j as a request: %s', (value, required) => {
    const policy = rulesPolicy({ honourHeader: true });

    const result = requiresProtection(
      policy,
      message({ headers: { 'X-SEALPOST-ENCRYPT': value } }),
    );

    expect(result.required).toBe(required);
  });

  it('ignores the header when the policy does not honour it', () => {
    const result = requiresProtection(
      rulesPolicy({ subjectTag: '[secure]' }),
      message({ headers: { 'x-sealpost-encrypt': '1' } }),
    );

    expect(result.required).toBe(false);
  });

  it('protects by sender rule, for an address or a whole domain', () => {
    const byAddress = rulesPolicy({ senders: ['jane.doe@clinic.example'] });
    const byDomain = rulesPolicy({ senders: ['@clinic.example'] });
    const other = rulesPolicy({ senders: ['@other.example'] });

    expect(requiresProtection(byAddress, message()).reasons).toEqual(['sender rule']);
    expect(requiresProtection(byDomain, message()).reasons).toEqual(['sender rule']);
    expect(requiresProtection(other, message()).required).toBe(false);
  });

  it('protects by recipient domain rule, with subdomains only for a dotted pattern', () => {
    const policy = rulesPolicy({ recipientDomains: ['partner.example', '.nhs.example'] });

    const decide = (recipientDomain: string): boolean =>
      requiresProtection(policy, message({ recipientDomain })).required;

    expect(['Partner.Example', 'trust.nhs.example', 'nhs.example'].map(decide)).toEqual([
      true,
      true,
      false,
    ]);
  });

  it.each([
    ['ssn', { text: 'SSN 123-45-6789' }],
    ['icd10', { html: '<p>Diagnosis <b>E11.9</b></p>' }],
    ['date-of-birth-near-name', { subject: 'Jane Roe DOB 01/02/1980' }],
    ['medical-record-number[0]', { text: 'Chart MRN123456 attached' }],
  ])('protects a message in which the %s detector matches', (name, facts) => {
    const policy = rulesPolicy({ detectors: ALL_DETECTORS });

    const result = requiresProtection(policy, message(facts));

    expect(result).toMatchObject({ required: true, reasons: [`PHI detected: ${name}`] });
  });

  it('scans HTML as text, so tags neither hide PHI nor cause matches', () => {
    const policy = rulesPolicy({ detectors: ALL_DETECTORS });
    const hidden = message({ text: undefined, html: '<p>SSN 123-<b>45</b>-6789</p>' });
    const markupOnly = message({ text: undefined, html: '<div class="A10" id="E11">Hi</div>' });

    expect(requiresProtection(policy, hidden).reasons).toEqual(['PHI detected: ssn']);
    expect(requiresProtection(policy, markupOnly).required).toBe(false);
  });

  describe('opt-out tag', () => {
    const optOut = { tag: '[public]', senders: ['@newsletter.clinic.example'] };

    it('lets an allowed sender send without protection, even in always mode', () => {
      const policy: EncryptionPolicy = { ...DEFAULT_POLICY, optOut };
      const facts = message({ from: 'news@newsletter.clinic.example', subject: '[PUBLIC] News' });

      expect(requiresProtection(policy, facts)).toEqual({
        required: false,
        reasons: ['sender opted out with tag'],
        subjectAfterTags: 'News',
      });
    });

    it('is ignored, and removed, for a sender not allowed to opt out', () => {
      const policy: EncryptionPolicy = { ...DEFAULT_POLICY, optOut };
      const facts = message({ subject: '[public] SSN 123-45-6789' });

      expect(requiresProtection(policy, facts)).toEqual({
        required: true,
        reasons: [
          'opt-out tag ignored: sender not allowed to opt out',
          'policy protects every message',
        ],
        subjectAfterTags: 'SSN 123-45-6789',
      });
    });

    it('does not override the sender asking for protection by header', () => {
      const policy = rulesPolicy({ honourHeader: true }, optOut);
      const facts = message({
        from: 'news@newsletter.clinic.example',
        subject: '[public] News',
        headers: { 'X-Sealpost-Encrypt': '1' },
      });

      expect(requiresProtection(policy, facts).reasons).toEqual([
        'opt-out tag ignored: protection also requested',
        'X-Sealpost-Encrypt header',
      ]);
    });
  });

  describe('sender groups', () => {
    const clinicians = '5b1f3e0a-2c4d-4e6f-8a9b-0c1d2e3f4a5b';
    const billing = '9e8d7c6b-5a49-4382-9170-a1b2c3d4e5f6';

    it('protects mail of a member of a protected group, and only of a member', () => {
      const policy = rulesPolicy({ senderGroups: [clinicians] });

      const member = requiresProtection(policy, message({ senderGroups: [clinicians] }));
      const other = requiresProtection(policy, message({ senderGroups: [billing] }));
      const unknown = requiresProtection(policy, message());

      expect(member.required).toBe(true);
      expect(member.reasons).toEqual(['sender group rule']);
      expect([other.required, unknown.required]).toEqual([false, false]);
    });

    it('lets a member of an opt-out group use the opt-out tag', () => {
      const policy: EncryptionPolicy = {
        ...DEFAULT_POLICY,
        optOut: { tag: '[public]', senders: [], senderGroups: [billing.toUpperCase()] },
      };

      const member = message({ subject: '[public] Invoice', senderGroups: [billing] });
      const outsider = message({ subject: '[public] Invoice', senderGroups: [clinicians] });

      expect(requiresProtection(policy, member).required).toBe(false);
      expect(requiresProtection(policy, outsider).reasons[0]).toBe(
        'opt-out tag ignored: sender not allowed to opt out',
      );
    });
  });
});
