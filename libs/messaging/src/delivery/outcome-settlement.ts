import { type DeliveryConfig } from '@sealpost/core';
import { statusCodeOf } from '../bounces/delivery-status';
import { DeliveryMethod, RecipientStatus } from '../messages/message-status';
import { type DeliveryOutcome } from './delivery-outcome';
import { type SmtpFailure } from './smtp-failure';
import { retryDelaySeconds } from './retry-policy';

/** What the protection planner decided, stored on the recipient for the API and audit. */
export interface RecordedDecision {
  method: string;
  reasons: string[];
  protectionRequired: boolean;
  protectionReasons: string[];
}

/** The attempt as the recipient row, its event and its outbox row will show it. */
export interface Settlement {
  status: RecipientStatus;
  method: string | null;
  smtpResponse: string | null;
  tlsVersion: string | null;
  tlsCipher: string | null;
  lastError: string | null;
  event: Record<string, unknown>;
  /** When the next attempt is due; null ends the delivery and removes its outbox row. */
  retryAt: Date | null;
  /** A hard bounce at RCPT TO: the status code the address is suppressed with, else null. */
  suppressStatus: string | null;
}

export interface AttemptFacts {
  outcome: DeliveryOutcome;
  decision?: RecordedDecision;
  attempts: number;
  firstAttemptAt: Date;
}

type RetryConfig = Pick<
  DeliveryConfig,
  'retryBaseSeconds' | 'retryMaxDelaySeconds' | 'bounceAfterSeconds'
>;

/**
 * Turns one attempt's outcome into the recipient's new state: delivered; failed when TLS or
 * protection could not be had, or the address is suppressed; bounced on a permanent refusal
 * or when retrying would outlive the bounce deadline; otherwise deferred with backoff.
 */
export function settleOutcome(facts: AttemptFacts, config: RetryConfig, now: Date): Settlement {
  const { outcome, decision } = facts;
  if (outcome.kind === 'delivered') {
    const method = decision?.method ?? DeliveryMethod.Tls;
    return {
      status: RecipientStatus.Delivered,
      method,
      smtpResponse: outcome.response,
      tlsVersion: outcome.tlsVersion,
      tlsCipher: outcome.tlsCipher,
      lastError: null,
      event: {
        method,
        host: outcome.host,
        response: outcome.response,
        tlsVersion: outcome.tlsVersion,
        tlsCipher: outcome.tlsCipher,
      },
      retryAt: null,
      suppressStatus: null,
    };
  }

  if (outcome.kind === 'suppressed') {
    const reason = 'suppressed: the address is on the suppression list';
    return {
      status: RecipientStatus.Failed,
      method: null,
      smtpResponse: null,
      tlsVersion: null,
      tlsCipher: null,
      lastError: reason,
      event: { reason: 'suppressed' },
      retryAt: null,
      suppressStatus: null,
    };
  }

  const { failure } = outcome;
  const event: Record<string, unknown> = {
    reason: failure.reason,
    responseCode: failure.responseCode,
    host: outcome.host,
  };
  const ended = (status: RecipientStatus, lastError: string, data = event): Settlement => ({
    status,
    method: null,
    smtpResponse: failure.response ?? null,
    tlsVersion: null,
    tlsCipher: null,
    lastError,
    event: data,
    retryAt: null,
    suppressStatus: null,
  });
  if (failure.kind === 'tls') {
    return ended(RecipientStatus.Failed, failure.reason);
  }
  if (failure.kind === 'permanent' && failure.atRecipient) {
    // The server refused the address itself: a hard bounce, which suppresses it like a DSN.
    const suppressStatus = enhancedStatusOf(failure);
    return {
      ...ended(RecipientStatus.Bounced, failure.reason, {
        ...event,
        status: suppressStatus,
        class: 'hard',
        suppressed: true,
      }),
      suppressStatus,
    };
  }
  if (failure.kind === 'permanent') {
    return ended(RecipientStatus.Bounced, failure.reason);
  }

  const ageSeconds = (now.getTime() - facts.firstAttemptAt.getTime()) / 1000;
  const delay = retryDelaySeconds(
    facts.attempts,
    config.retryBaseSeconds,
    config.retryMaxDelaySeconds,
  );
  if (ageSeconds + delay > config.bounceAfterSeconds) {
    const reason = `gave up after ${facts.attempts} attempts: ${failure.reason}`;
    return ended(RecipientStatus.Bounced, reason, { ...event, reason, attempts: facts.attempts });
  }
  const retryAt = new Date(now.getTime() + delay * 1000);
  return {
    ...ended(RecipientStatus.Deferred, failure.reason, {
      ...event,
      attempt: facts.attempts,
      retryAt: retryAt.toISOString(),
    }),
    retryAt,
  };
}

/** `550 5.1.1 <...>` -> 5.1.1; a reply without an enhanced code -> its class, e.g. 5.0.0. */
function enhancedStatusOf(failure: SmtpFailure): string {
  const enhanced = statusCodeOf(failure.response?.replace(/^\d{3}[ -]/, ''));
  return enhanced ?? `${String(failure.responseCode ?? 500).charAt(0)}.0.0`;
}
