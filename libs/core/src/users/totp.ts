import { Secret, TOTP } from 'otpauth';

const ISSUER = 'Sealpost';
// One 30 s step either side: a phone clock a little off still signs in, a code stays short-lived.
const WINDOW_STEPS = 1;
const PERIOD_SECONDS = 30;

export interface TotpEnrolment {
  /** Base32, what an authenticator app shows when the QR code cannot be scanned. */
  secret: string;
  /** `otpauth://totp/...`, the QR code's content. */
  uri: string;
}

export function newTotpSecret(accountLabel: string): TotpEnrolment {
  const secret = new Secret({ size: 20 });
  return { secret: secret.base32, uri: totpFor(secret.base32, accountLabel).toString() };
}

/**
 * The 30 s step the code belongs to, or null when it matches none near `now`. The caller stores
 * the step and refuses it, and any earlier one, next time: a code works once.
 */
export function matchTotp(secretBase32: string, code: string, now: Date): number | null {
  if (!/^\d{6}$/.test(code)) {
    return null;
  }
  const totp = totpFor(secretBase32, ISSUER);
  const delta = totp.validate({ token: code, timestamp: now.getTime(), window: WINDOW_STEPS });
  if (delta === null) {
    return null;
  }
  return Math.floor(now.getTime() / 1000 / PERIOD_SECONDS) + delta;
}

function totpFor(secretBase32: string, label: string): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}
