import { matchesDomainPattern, matchesSenderPatterns } from './address-pattern.util';
import { type EncryptionPolicy } from './encryption-policy';
import { htmlToText } from './html-text.util';
import { type CompiledPhiDetectors, compilePhiDetectors, detectPhi } from './phi-detectors';
import { scanSubjectTags } from './subject-tag.util';

/** What the policy looks at in one message for one recipient. */
export interface ProtectionFacts {
  readonly from: string;
  readonly subject: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly text?: string;
  readonly html?: string;
  readonly recipientDomain: string;
  /** Directory groups the sender belongs to; read only when the policy names groups. */
  readonly senderGroups?: readonly string[];
}

export interface ProtectionRequirement {
  readonly required: boolean;
  /** Safe to store and show: names rules and detectors, never addresses or message text. */
  readonly reasons: readonly string[];
  /** The subject to deliver: subject and opt-out tags removed. */
  readonly subjectAfterTags: string;
}

export const ENCRYPT_HEADER = 'x-sealpost-encrypt';

/** The add-ins send `1`; other spellings of yes are honoured too, as asking is never harmful. */
const ENCRYPT_HEADER_YES = /^(?:1|true|yes)$/i;

/**
 * Decides whether a message must be protected for one recipient. The opt-out tag wins over the
 * policy (always mode, rules, detectors) for a sender allowed to use it, but not over the
 * sender's own request by subject tag or header: a message asked to be both protected and not
 * is protected. Detectors only run when nothing else required protection, as they are the
 * costly part. Pass `detectors` compiled once per policy when deciding for many recipients.
 */
export function requiresProtection(
  policy: EncryptionPolicy,
  message: ProtectionFacts,
  detectors: CompiledPhiDetectors = compilePhiDetectors(policy.protection.detectors),
): ProtectionRequirement {
  const { protection, optOut } = policy;
  const tags = scanSubjectTags(message.subject, [protection.subjectTag, optOut.tag]);
  const subjectAfterTags = tags.subject;
  const requested: string[] = [];
  if (protection.subjectTag !== null && tags.found.has(protection.subjectTag)) {
    requested.push('subject tag');
  }
  if (protection.honourHeader && hasEncryptHeader(message.headers)) {
    requested.push('X-Sealpost-Encrypt header');
  }

  const notes: string[] = [];
  if (optOut.tag !== null && tags.found.has(optOut.tag)) {
    const mayOptOut =
      matchesSenderPatterns(message.from, optOut.senders) ||
      sharesGroup(optOut.senderGroups, message.senderGroups);
    if (!mayOptOut) {
      notes.push('opt-out tag ignored: sender not allowed to opt out');
    } else if (requested.length > 0) {
      notes.push('opt-out tag ignored: protection also requested');
    } else {
      return { required: false, reasons: ['sender opted out with tag'], subjectAfterTags };
    }
  }

  const triggers = [...requested, ...ruleTriggers(policy, message)];
  if (triggers.length === 0) {
    const scanned = [subjectAfterTags, message.text ?? '', htmlToText(message.html ?? '')];
    const found = detectPhi(scanned.join('\n\n'), detectors);
    triggers.push(...found.map((name) => `PHI detected: ${name}`));
  }

  const required = triggers.length > 0;
  const reasons = [...notes, ...(required ? triggers : ['no protection rule matched'])];
  return { required, reasons, subjectAfterTags };
}

function ruleTriggers(policy: EncryptionPolicy, message: ProtectionFacts): string[] {
  const { protection } = policy;
  const triggers: string[] = [];
  if (protection.mode === 'always') {
    triggers.push('policy protects every message');
  }
  if (matchesSenderPatterns(message.from, protection.senders)) {
    triggers.push('sender rule');
  }
  if (sharesGroup(protection.senderGroups, message.senderGroups)) {
    triggers.push('sender group rule');
  }

  const domain = message.recipientDomain;
  if (protection.recipientDomains.some((pattern) => matchesDomainPattern(domain, pattern))) {
    triggers.push('recipient domain rule');
  }
  return triggers;
}

function hasEncryptHeader(headers: Readonly<Record<string, string>>): boolean {
  return Object.entries(headers).some(
    ([name, value]) =>
      name.toLowerCase() === ENCRYPT_HEADER && ENCRYPT_HEADER_YES.test(value.trim()),
  );
}

function sharesGroup(
  policyGroups: readonly string[] | undefined,
  senderGroups: readonly string[] | undefined,
): boolean {
  if (!policyGroups?.length || !senderGroups?.length) {
    return false;
  }
  const wanted = new Set(policyGroups.map((id) => id.toLowerCase()));
  return senderGroups.some((id) => wanted.has(id.toLowerCase()));
}

/** Whether evaluating `policy` needs the sender's directory groups at all. */
export function policyNamesGroups(policy: EncryptionPolicy): boolean {
  return Boolean(policy.protection.senderGroups?.length || policy.optOut.senderGroups?.length);
}
