import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { Clock } from '@sealpost/encryption';
import {
  InMemorySeenWebhookIds,
  verifyStandardWebhook,
  WebhookVerificationError,
  WebhookVerificationFailure,
} from './standard-webhook-verifier';

class TestClock extends Clock {
  constructor(public at: Date) {
    super();
  }

  now(): Date {
    return new Date(this.at.getTime());
  }
}

// Signatures in these tests are made here, from the spec's definition, not by our signer.
const SECRET_BYTES = Buffer.from('c2VhbHBvc3QtdGVzdC1zZWNyZXQtMzItYnl0ZXMhIQ==', 'base64');
const SECRET = `whsec_${SECRET_BYTES.toString('base64')}`;
const OTHER_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const BODY = '{"type":"message.delivered","timestamp":"2030-01-01T00:00:00.000Z","data":{}}';
const NOW = new Date('2030-01-01T00:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;

function hmacHeaders(id: string, timestamp: number, body = BODY, key = SECRET_BYTES) {
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${mac}`,
  };
}

function failureOf(run: () => unknown): WebhookVerificationFailure | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookVerificationError) {
      return error.reason;
    }
    throw error;
  }
  return undefined;
}

describe('verifyStandardWebhook', () => {
  let clock: TestClock;
  let seen: InMemorySeenWebhookIds;

  beforeEach(() => {
    clock = new TestClock(NOW);
    seen = new InMemorySeenWebhookIds();
  });

  it('accepts a request signed with the secret, within the tolerance', () => {
    const headers = hmacHeaders('msg_1', NOW_SECONDS - 60);

    expect(verifyStandardWebhook(headers, BODY, [SECRET], clock, seen)).toEqual({
      id: 'msg_1',
      timestamp: NOW_SECONDS - 60,
    });
  });

  it('accepts when one of several signatures matches one of several secrets', () => {
    const headers = hmacHeaders('msg_2', NOW_SECONDS);
    const other = hmacHeaders('msg_2', NOW_SECONDS, BODY, Buffer.alloc(32, 9));
    headers['webhook-signature'] = `${other['webhook-signature']} ${headers['webhook-signature']}`;

    expect(() =>
      verifyStandardWebhook(headers, BODY, [OTHER_SECRET, SECRET], clock, seen),
    ).not.toThrow();
  });

  it.each([
    ['more than five minutes old', NOW_SECONDS - 301],
    ['more than five minutes ahead', NOW_SECONDS + 301],
  ])('rejects a timestamp %s', (_case, timestamp) => {
    const headers = hmacHeaders('msg_3', timestamp);

    expect(failureOf(() => verifyStandardWebhook(headers, BODY, [SECRET], clock, seen))).toBe(
      WebhookVerificationFailure.StaleTimestamp,
    );
  });

  it('rejects a timestamp that is not unix seconds', () => {
    const headers = { ...hmacHeaders('msg_4', NOW_SECONDS), 'webhook-timestamp': '2030-01-01' };

    expect(failureOf(() => verifyStandardWebhook(headers, BODY, [SECRET], clock, seen))).toBe(
      WebhookVerificationFailure.BadTimestamp,
    );
  });

  it('rejects a request signed with another secret', () => {
    const headers = hmacHeaders('msg_5', NOW_SECONDS);

    expect(failureOf(() => verifyStandardWebhook(headers, BODY, [OTHER_SECRET], clock, seen))).toBe(
      WebhookVerificationFailure.BadSignature,
    );
  });

  it('rejects a body changed after signing', () => {
    const headers = hmacHeaders('msg_6', NOW_SECONDS);

    expect(
      failureOf(() =>
        verifyStandardWebhook(headers, BODY.replace('{}', '{"x":1}'), [SECRET], clock, seen),
      ),
    ).toBe(WebhookVerificationFailure.BadSignature);
  });

  it('rejects a second request with an id already accepted', () => {
    const headers = hmacHeaders('msg_7', NOW_SECONDS);
    verifyStandardWebhook(headers, BODY, [SECRET], clock, seen);

    expect(failureOf(() => verifyStandardWebhook(headers, BODY, [SECRET], clock, seen))).toBe(
      WebhookVerificationFailure.Replayed,
    );
  });

  it('does not burn an id on a request that failed its signature', () => {
    const forged = hmacHeaders('msg_8', NOW_SECONDS, BODY, Buffer.alloc(32, 1));
    failureOf(() => verifyStandardWebhook(forged, BODY, [SECRET], clock, seen));

    expect(() =>
      verifyStandardWebhook(hmacHeaders('msg_8', NOW_SECONDS), BODY, [SECRET], clock, seen),
    ).not.toThrow();
  });

  it('rejects a request without the three headers', () => {
    const headers: Record<string, string> = hmacHeaders('msg_9', NOW_SECONDS);
    delete headers['webhook-signature'];

    expect(failureOf(() => verifyStandardWebhook(headers, BODY, [SECRET], clock, seen))).toBe(
      WebhookVerificationFailure.MissingHeaders,
    );
  });

  it('reads headers in any case, as Node and proxies deliver them', () => {
    const headers = hmacHeaders('msg_10', NOW_SECONDS);
    const shouted = Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name.toUpperCase(), value]),
    );

    expect(() => verifyStandardWebhook(shouted, BODY, [SECRET], clock, seen)).not.toThrow();
  });

  it('verifies a v1a (Ed25519) signature with the whpk_ public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    const content = Buffer.from(`msg_11.${NOW_SECONDS}.${BODY}`);
    const headers = {
      'webhook-id': 'msg_11',
      'webhook-timestamp': String(NOW_SECONDS),
      'webhook-signature': `v1a,${sign(null, content, privateKey).toString('base64')}`,
    };
    const whpk = `whpk_${raw.toString('base64')}`;
    const otherKey = generateKeyPairSync('ed25519').publicKey;
    const otherRaw = otherKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    const otherWhpk = `whpk_${otherRaw.toString('base64')}`;

    expect(failureOf(() => verifyStandardWebhook(headers, BODY, [otherWhpk], clock, seen))).toBe(
      WebhookVerificationFailure.BadSignature,
    );
    expect(() => verifyStandardWebhook(headers, BODY, [whpk], clock, seen)).not.toThrow();
  });

  it('forgets an id once its timestamp is outside the tolerance anyway', () => {
    verifyStandardWebhook(hmacHeaders('msg_12', NOW_SECONDS), BODY, [SECRET], clock, seen);
    clock.at = new Date(NOW.getTime() + 10 * 60 * 1000);
    verifyStandardWebhook(hmacHeaders('msg_13', NOW_SECONDS + 600), BODY, [SECRET], clock, seen);

    expect(seen.remember('msg_12', new Date(NOW.getTime() + 3600_000), clock.now())).toBe(true);
  });
});
