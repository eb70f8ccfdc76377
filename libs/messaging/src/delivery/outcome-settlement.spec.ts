import { RecipientStatus } from '../messages/message-status';
import { type DeliveryOutcome } from './delivery-outcome';
import { settleOutcome } from './outcome-settlement';
import { SmtpFailure } from './smtp-failure';

const config = { retryBaseSeconds: 60, retryMaxDelaySeconds: 3600, bounceAfterSeconds: 86_400 };
const now = new Date('2026-12-03T12:00:00Z');
const secondsAgo = (seconds: number) => new Date(now.getTime() - seconds * 1000);

function failure(kind: SmtpFailure['kind'], code?: number): DeliveryOutcome {
  return {
    kind: 'failure',
    host: 'mx.example.test',
    failure: new SmtpFailure(kind, `reason ${kind}`, code, code ? `${code} reply` : undefined),
  };
}

describe('settleOutcome', () => {
  it('marks a delivery delivered with its method and TLS facts, removing the outbox row', () => {
    const settled = settleOutcome(
      {
        outcome: {
          kind: 'delivered',
          host: 'mx.example.test',
          response: '250 ok',
          tlsVersion: 'TLSv1.3',
          tlsCipher: 'TLS_AES_256_GCM_SHA384',
        },
        decision: { method: 'pgp', reasons: [], protectionRequired: true, protectionReasons: [] },
        attempts: 1,
        firstAttemptAt: now,
      },
      config,
      now,
    );

    expect(settled).toMatchObject({
      status: RecipientStatus.Delivered,
      method: 'pgp',
      tlsVersion: 'TLSv1.3',
      retryAt: null,
    });
    expect(settled.event).toMatchObject({ method: 'pgp', host: 'mx.example.test' });
  });

  it('fails for want of TLS and bounces a permanent refusal, both final', () => {
    const facts = { attempts: 1, firstAttemptAt: now };

    const tls = settleOutcome({ ...facts, outcome: failure('tls') }, config, now);
    const permanent = settleOutcome({ ...facts, outcome: failure('permanent', 550) }, config, now);

    expect(tls).toMatchObject({ status: RecipientStatus.Failed, retryAt: null });
    expect(permanent).toMatchObject({
      status: RecipientStatus.Bounced,
      smtpResponse: '550 reply',
      retryAt: null,
    });
    expect(permanent.event).toMatchObject({ responseCode: 550, reason: 'reason permanent' });
  });

  it('defers a temporary failure to the backoff time and says when in its event', () => {
    const settled = settleOutcome(
      { outcome: failure('temporary', 451), attempts: 2, firstAttemptAt: secondsAgo(120) },
      config,
      now,
    );

    expect(settled.status).toBe(RecipientStatus.Deferred);
    expect(settled.retryAt!.getTime()).toBeGreaterThan(now.getTime());
    expect(settled.event).toMatchObject({ attempt: 2, retryAt: settled.retryAt!.toISOString() });
  });

  it('bounces a temporary failure when the next retry would pass the bounce deadline', () => {
    const settled = settleOutcome(
      { outcome: failure('temporary', 451), attempts: 9, firstAttemptAt: secondsAgo(86_000) },
      config,
      now,
    );

    expect(settled).toMatchObject({ status: RecipientStatus.Bounced, retryAt: null });
    expect(settled.lastError).toBe('gave up after 9 attempts: reason temporary');
    expect(settled.event).toMatchObject({ attempts: 9 });
  });
});

describe('settleOutcome for a suppressed address', () => {
  it('fails the copy with reason suppressed and removes its outbox row', () => {
    const settled = settleOutcome(
      { outcome: { kind: 'suppressed', host: null }, attempts: 1, firstAttemptAt: now },
      config,
      now,
    );

    expect(settled).toMatchObject({
      status: RecipientStatus.Failed,
      method: null,
      event: { reason: 'suppressed' },
      retryAt: null,
    });
  });
});

describe('settleOutcome for a permanent refusal', () => {
  const refused = (atRecipient: boolean, response = '550 5.1.1 <x>: no such user') => ({
    kind: 'failure' as const,
    host: 'mx.example.test',
    failure: new SmtpFailure('permanent', 'refused', 550, response, atRecipient),
  });

  it('suppresses an address refused at RCPT TO, with the reply status code', () => {
    const settled = settleOutcome(
      { outcome: refused(true), attempts: 1, firstAttemptAt: now },
      config,
      now,
    );

    expect(settled).toMatchObject({
      status: RecipientStatus.Bounced,
      suppressStatus: '5.1.1',
      event: { status: '5.1.1', class: 'hard', suppressed: true, responseCode: 550 },
    });
  });

  it('takes the reply class when the reply has no enhanced code', () => {
    const settled = settleOutcome(
      { outcome: refused(true, '550 mailbox unavailable'), attempts: 1, firstAttemptAt: now },
      config,
      now,
    );

    expect(settled.suppressStatus).toBe('5.0.0');
  });

  it('does not suppress when the message, not the address, was refused', () => {
    const settled = settleOutcome(
      { outcome: refused(false), attempts: 1, firstAttemptAt: now },
      config,
      now,
    );

    expect(settled).toMatchObject({ status: RecipientStatus.Bounced, suppressStatus: null });
    expect(settled.event).not.toHaveProperty('suppressed');
  });
});
