/** The ways a message can reach a recipient protected, named as they are stored and reported. */
export const ENCRYPTION_METHODS = ['pgp', 'smime', 'tls', 'portal'] as const;
export type EncryptionMethod = (typeof ENCRYPTION_METHODS)[number];

/**
 * `force-portal` suits consumer webmail, where keys are never known and TLS says nothing about
 * who reads the mailbox; `tls-exclusive` suits partners bound by contract to TLS, where a
 * message that cannot go by TLS must be dropped rather than sent another way.
 */
export const DOMAIN_OVERRIDE_ACTIONS = ['force-portal', 'tls-exclusive'] as const;
export type DomainOverrideAction = (typeof DOMAIN_OVERRIDE_ACTIONS)[number];

export interface PhiDetectorSettings {
  readonly ssn: boolean;
  readonly dateOfBirthNearName: boolean;
  readonly icd10: boolean;
  /** Regular expression sources, compiled with the flags of `compilePolicyRegex`. */
  readonly medicalRecordNumbers: readonly string[];
  /** Regular expression sources, compiled with the flags of `compilePolicyRegex`. */
  readonly custom: readonly string[];
}

export interface ProtectionSettings {
  /** `always` protects every message; `rules` only those a rule, tag, header or detector marks. */
  readonly mode: 'always' | 'rules';
  /** Full addresses (`a@example.org`) or whole domains (`@example.org`). */
  readonly senders: readonly string[];
  /** `example.org` matches that domain only; `.example.org` matches its subdomains only. */
  readonly recipientDomains: readonly string[];
  /** Matched case-insensitively in the subject and removed before delivery; null turns it off. */
  readonly subjectTag: string | null;
  /** Whether `X-Sealpost-Encrypt: 1`, set by the Outlook and Gmail add-ins, requires protection. */
  readonly honourHeader: boolean;
  readonly detectors: PhiDetectorSettings;
  /**
   * Directory group ids (Microsoft 365: Entra object ids) whose members' mail is always
   * protected. Optional, so policies stored before groups existed stay valid.
   */
  readonly senderGroups?: readonly string[];
}

export interface DomainOverride {
  /** Same syntax as `ProtectionSettings.recipientDomains`. */
  readonly domain: string;
  readonly action: DomainOverrideAction;
}

export interface OptOutSettings {
  /** A subject tag that lets the senders below send without protection; removed before delivery. */
  readonly tag: string | null;
  /** Same syntax as `ProtectionSettings.senders`. */
  readonly senders: readonly string[];
  /** Directory group ids whose members may also use the opt-out tag. */
  readonly senderGroups?: readonly string[];
}

/** The encryption policy of one organisation. Plain data, so it can be stored as JSON. */
export interface EncryptionPolicy {
  readonly protection: ProtectionSettings;
  /** Tried first to last for each recipient; the first usable method wins. */
  readonly methodOrder: readonly EncryptionMethod[];
  readonly domainOverrides: readonly DomainOverride[];
  readonly optOut: OptOutSettings;
}

/**
 * What an organisation gets before its admin changes anything: every message protected, the
 * strongest method first and the portal as the method every recipient can use.
 */
export const DEFAULT_POLICY: EncryptionPolicy = deepFreeze({
  protection: {
    mode: 'always',
    senders: [],
    recipientDomains: [],
    subjectTag: '[secure]',
    honourHeader: true,
    detectors: {
      ssn: true,
      dateOfBirthNearName: true,
      icd10: true,
      medicalRecordNumbers: [],
      custom: [],
    },
  },
  methodOrder: ['pgp', 'smime', 'tls', 'portal'],
  domainOverrides: [],
  optOut: { tag: null, senders: [] },
});

// The default is shared by every caller; freezing it stops one caller's edit leaking to all.
function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) {
      deepFreeze(child as object);
    }
  }
  return Object.freeze(value);
}
