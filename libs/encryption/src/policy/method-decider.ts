import { type TlsAssessment } from '../tls-probe/tls-assessment';
import { domainPatternRank, matchesDomainPattern } from './address-pattern.util';
import {
  type DomainOverride,
  type EncryptionMethod,
  type EncryptionPolicy,
} from './encryption-policy';

/**
 * Whether a recipient key or certificate can be used, and if not, why (`PGP key expired`).
 * A usable one may say where it came from (`PGP key from WKD`), recorded instead of the
 * default reason.
 */
export interface MethodAvailability {
  readonly usable: boolean;
  readonly reason?: string;
}

export interface MethodDecisionInput {
  readonly policy: EncryptionPolicy;
  readonly protectionRequired: boolean;
  readonly recipientDomain: string;
  readonly pgp: MethodAvailability;
  readonly smime: MethodAvailability;
  /** From `assessTls`: the probe of the recipient's MX combined with its MTA-STS policy. */
  readonly tls: TlsAssessment;
  readonly portalAvailable: boolean;
}

/** `none` is plain SMTP, only ever chosen for a message that needs no protection. */
export type DeliveryMethod = EncryptionMethod | 'none';

export interface MethodDecision {
  readonly method: DeliveryMethod;
  readonly action: 'send' | 'drop';
  /** Stored on the recipient: why each method before the chosen one was skipped, and why. */
  readonly reasons: readonly string[];
}

/**
 * Chooses how one recipient gets one message; called per recipient at delivery, so one message
 * can go by PGP to one recipient and by TLS or portal to others. A domain override is never
 * bypassed, and a message that needs protection is dropped rather than sent in clear when no
 * method is usable. `tls-exclusive` also holds for unprotected messages: it states that the
 * domain accepts mail over TLS only.
 */
export function decideMethod(input: MethodDecisionInput): MethodDecision {
  const override = findDomainOverride(input.policy.domainOverrides, input.recipientDomain);
  if (override?.action === 'tls-exclusive') {
    return decideTlsExclusive(input.tls);
  }

  if (!input.protectionRequired) {
    return input.tls.usable
      ? send('tls', ['protection not required', ...input.tls.reasons])
      : send('none', ['protection not required', ...tlsFailure(input.tls), 'sent without TLS']);
  }

  if (override?.action === 'force-portal') {
    const reasons = ['domain override: force portal'];
    return input.portalAvailable
      ? send('portal', reasons)
      : drop([...reasons, 'secure portal not available']);
  }
  return decideInPolicyOrder(input);
}

function decideTlsExclusive(tls: TlsAssessment): MethodDecision {
  const reasons = ['domain override: TLS exclusive'];
  return tls.usable
    ? send('tls', [...reasons, ...tls.reasons])
    : drop([...reasons, ...tlsFailure(tls)]);
}

function decideInPolicyOrder(input: MethodDecisionInput): MethodDecision {
  const skipped: string[] = [];
  for (const method of input.policy.methodOrder) {
    const verdict = assess(method, input);
    if (verdict.usable) {
      return send(method, [...skipped, ...verdict.reasons]);
    }
    skipped.push(...verdict.reasons);
  }
  return drop([...skipped, 'no usable method in the policy order']);
}

function assess(
  method: EncryptionMethod,
  input: MethodDecisionInput,
): { usable: boolean; reasons: string[] } {
  switch (method) {
    case 'pgp':
      return input.pgp.usable
        ? { usable: true, reasons: [input.pgp.reason ?? 'PGP key known'] }
        : { usable: false, reasons: [input.pgp.reason ?? 'no PGP key'] };
    case 'smime':
      return input.smime.usable
        ? { usable: true, reasons: ['S/MIME certificate known'] }
        : { usable: false, reasons: [input.smime.reason ?? 'no S/MIME certificate'] };
    case 'tls':
      return input.tls.usable
        ? { usable: true, reasons: [...input.tls.reasons] }
        : { usable: false, reasons: tlsFailure(input.tls) };
    case 'portal':
      return input.portalAvailable
        ? { usable: true, reasons: ['secure portal'] }
        : { usable: false, reasons: ['secure portal not available'] };
  }
}

// An assessment should always say why TLS failed; if one does not, the record still must.
function tlsFailure(tls: TlsAssessment): string[] {
  return tls.reasons.length > 0 ? [...tls.reasons] : ['TLS not usable'];
}

/** The most specific override for a domain: exact names beat `.suffix` patterns. */
export function findDomainOverride(
  overrides: readonly DomainOverride[],
  domain: string,
): DomainOverride | undefined {
  return overrides
    .filter((override) => matchesDomainPattern(domain, override.domain))
    .sort((a, b) => domainPatternRank(b.domain) - domainPatternRank(a.domain))[0];
}

function send(method: DeliveryMethod, reasons: string[]): MethodDecision {
  return { method, action: 'send', reasons };
}

function drop(reasons: string[]): MethodDecision {
  return { method: 'none', action: 'drop', reasons };
}
