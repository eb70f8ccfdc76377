import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '@sealpost/encryption';
import { PortalError, PortalErrorCode } from './portal-error';
import { PortalLinkResolver } from './portal-link-resolver';
import { type PortalLink } from './portal-links.repository';
import { PortalSessionsRepository } from './portal-sessions.repository';
import { PortalTokens } from './portal-tokens';

// The rule: a portal left open on a shared computer closes itself after 15 minutes.
export const SESSION_IDLE_MINUTES = 15;

export interface OpenSession {
  link: PortalLink;
  sessionId: string;
  /** Put in every form; a POST without it is refused (on top of SameSite=Strict). */
  csrfToken: string;
}

/**
 * Server-side sessions of verified recipients, one link each. Idleness is judged against the
 * last request on the server's clock, so a cookie kept longer opens nothing.
 */
@Injectable()
export class PortalSessions {
  constructor(
    private readonly resolver: PortalLinkResolver,
    private readonly sessions: PortalSessionsRepository,
    private readonly tokens: PortalTokens,
    private readonly clock: Clock,
  ) {}

  /** The live link, for pages shown before a session exists. */
  resolveLink(presented: string): Promise<PortalLink> {
    return this.resolver.resolve(presented);
  }

  /** Starts a session for a link whose code was just verified; returns the cookie value. */
  async start(link: PortalLink): Promise<string> {
    const { token, tokenHash } = this.tokens.newSessionToken();
    await this.sessions.create({
      organisationId: link.organisationId,
      linkId: link.id,
      tokenHash,
      csrfToken: randomBytes(24).toString('base64url'),
      now: this.clock.now(),
    });
    return token;
  }

  /** The live session of this link, or `session_required`; each use restarts the idle time. */
  async open(presented: string, sessionToken: string | undefined): Promise<OpenSession> {
    const link = await this.resolver.resolve(presented);
    const session = sessionToken
      ? await this.sessions.find(this.tokens.hashSessionToken(sessionToken))
      : null;
    if (!session || session.linkId !== link.id) {
      throw new PortalError(PortalErrorCode.SessionRequired);
    }
    const now = this.clock.now();
    if (now.getTime() - session.lastSeenAt.getTime() > SESSION_IDLE_MINUTES * 60_000) {
      await this.sessions.delete(session.id);
      throw new PortalError(PortalErrorCode.SessionRequired);
    }
    await this.sessions.touch(session.id, now);
    return { link, sessionId: session.id, csrfToken: session.csrfToken };
  }

  /** Refuses a form whose token is not this session's. */
  checkForm(session: OpenSession, given: unknown): void {
    const expected = Buffer.from(session.csrfToken);
    const actual = Buffer.from(typeof given === 'string' ? given : '');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      throw new PortalError(PortalErrorCode.FormExpired);
    }
  }

  async end(session: OpenSession): Promise<void> {
    await this.sessions.delete(session.sessionId);
  }
}
