import { randomUUID } from 'node:crypto';
import { type ErrorBody, type UserRole, type UserView } from '@sealpost/core';
import { type FakeClock } from '@sealpost/core/testing';
import { call, type TestApi } from '../../testing/test-api';
import { totpCode } from './independent-totp';

export interface EnrolledUser {
  id: string;
  email: string;
  password: string;
  secret: string;
}

export interface Session {
  token: string;
  sessionId: string;
  expiresAt: string;
  idleTimeoutSeconds: number;
  user: UserView;
}

/**
 * People through the real API: invited by `inviterToken`, enrolled with a password and a TOTP
 * code computed apart from the product, signed in. The fake clock moves a 30 s step before
 * each sign-in, since a code works once.
 */
export function signInKit(api: TestApi, clock: FakeClock, inviterToken: string) {
  async function enrol(role: UserRole, inviter: string = inviterToken): Promise<EnrolledUser> {
    const email = `user-${randomUUID()}@clinic.example`;
    const invited = await call<{ user: UserView; inviteToken: string }>(api, 'POST', '/v1/users', {
      token: inviter,
      body: { email, name: 'Dana Lee', role },
    });
    expect(invited.status).toBe(201);
    const password = `pw-${randomUUID()}`;
    const begun = await call<{ secret: string; uri: string }>(api, 'POST', '/v1/auth/enrol', {
      body: { inviteToken: invited.body.inviteToken, password },
    });
    expect(begun.status).toBe(200);
    const confirmed = await call<UserView>(api, 'POST', '/v1/auth/enrol/confirm', {
      body: {
        inviteToken: invited.body.inviteToken,
        code: totpCode(begun.body.secret, clock.now()),
      },
    });
    expect(confirmed.status).toBe(200);
    return { id: invited.body.user.id, email, password, secret: begun.body.secret };
  }

  function signIn(user: EnrolledUser, extra: Record<string, string> = {}) {
    clock.advance(30_000);
    return call<Session & ErrorBody>(api, 'POST', '/v1/auth/sessions', {
      body: {
        email: user.email,
        password: user.password,
        code: totpCode(user.secret, clock.now()),
        ...extra,
      },
    });
  }

  async function sessionOf(user: EnrolledUser, extra: Record<string, string> = {}) {
    const response = await signIn(user, extra);
    expect(response.status).toBe(201);
    return response.body.token;
  }

  return { enrol, signIn, sessionOf };
}
