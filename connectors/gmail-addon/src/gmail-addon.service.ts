import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, SEALPOST_CONFIG, type SealpostConfig, SealpostError } from '@sealpost/core';
import { PolicyService } from '@sealpost/encryption';
import { parseMailbox, previewRecipients, ProtectionPlanner } from '@sealpost/messaging';
import { DataSource } from 'typeorm';
import {
  composeCard,
  homepageCard,
  noAccountCard,
  type RecentSecureMessage,
  requestAllScopes,
  sendSecurelyAction,
} from './gmail-cards';
import { GMAIL_ADDON_SCOPES } from './deployment-descriptor';
import { gmailAddonUrls } from './gmail-addon-urls';
import { readGmailEvent } from './gmail-event';
import { GoogleIdTokenVerifier, InvalidGoogleToken } from './google-id-token.verifier';

export type GmailEndpoint = 'homepage' | 'compose' | 'sendSecurely';

const DEFAULT_TAG = '[secure]';
const RECENT_LIMIT = 10;

interface SealpostUser {
  id: string;
  organisationId: string;
  email: string;
}

/**
 * Answers Google's card requests. A request counts only with an ID token that Google signed for
 * this add-on's service account and for the very endpoint called; the person is the one named
 * by the user ID token (audience: the add-on's OAuth client), mapped to the active Sealpost user
 * with that email address. Logs carry the endpoint and ids, never addresses or subjects.
 */
@Injectable()
export class GmailAddonService {
  private readonly logger = new Logger(GmailAddonService.name);

  constructor(
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
    private readonly verifier: GoogleIdTokenVerifier,
    private readonly dataSource: DataSource,
    private readonly planner: ProtectionPlanner,
    private readonly policies: PolicyService,
  ) {}

  async handle(endpoint: GmailEndpoint, authorization: string, body: unknown): Promise<unknown> {
    const urls = gmailAddonUrls(this.config.portal.publicUrl);
    await this.verifyGoogle(endpoint, authorization, urls[endpoint]);

    const event = readGmailEvent(body);
    // Granular consent lets a person grant some scopes only; without all of them (the email
    // one above all) there is nobody to map, so Google is asked to show the consent again.
    const granted = event.authorizedScopes;
    const missing = granted && GMAIL_ADDON_SCOPES.some((scope) => !granted.includes(scope));
    if (!event.userIdToken || missing) {
      return requestAllScopes();
    }
    const user = await this.userOf(event.userIdToken, endpoint);
    if (!user) {
      this.logger.log({ endpoint }, 'gmail add-on: no Sealpost user for the Google account');
      return noAccountCard();
    }
    this.logger.log(
      { endpoint, organisationId: user.organisationId, userId: user.id },
      'gmail add-on',
    );

    const policy = await this.policies.forOrganisation(user.organisationId);
    const tag = policy.protection.subjectTag ?? DEFAULT_TAG;
    switch (endpoint) {
      case 'homepage':
        return homepageCard(await this.recentSecureMessages(user));
      case 'compose':
        return composeCard(await this.preview(user, event.recipients, tag), tag, urls.sendSecurely);
      case 'sendSecurely':
        return sendSecurelyAction(event.subject, tag);
    }
  }

  private async verifyGoogle(endpoint: GmailEndpoint, header: string, audience: string) {
    const serviceAccount = this.config.addins.gmailServiceAccount;
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    try {
      if (!serviceAccount) {
        throw new InvalidGoogleToken('SEALPOST_GMAIL_ADDON_SERVICE_ACCOUNT is not set');
      }
      const payload = await this.verifier.verify(token, audience);
      if (payload.email_verified !== true || payload.email?.toLowerCase() !== serviceAccount) {
        throw new InvalidGoogleToken('not the add-on service account');
      }
    } catch (error) {
      const reason = error instanceof InvalidGoogleToken ? error.message : 'verification failed';
      this.logger.warn({ endpoint, reason }, 'gmail add-on request refused');
      throw new SealpostError(
        ErrorCode.Unauthenticated,
        'This request does not carry an ID token Google signed for this add-on and endpoint.',
      );
    }
  }

  private async userOf(userIdToken: string, endpoint: GmailEndpoint): Promise<SealpostUser | null> {
    const clientId = this.config.addins.gmailOauthClientId;
    let email: string;
    try {
      if (!clientId) {
        throw new InvalidGoogleToken('SEALPOST_GMAIL_ADDON_CLIENT_ID is not set');
      }
      const payload = await this.verifier.verify(userIdToken, clientId);
      if (payload.email_verified !== true || !payload.email) {
        throw new InvalidGoogleToken('no verified email');
      }
      email = payload.email;
    } catch (error) {
      const reason = error instanceof InvalidGoogleToken ? error.message : 'verification failed';
      this.logger.warn({ endpoint, reason }, 'gmail add-on user token refused');
      throw new SealpostError(ErrorCode.Unauthenticated, 'The user ID token is not valid.');
    }

    const [row] = await this.dataSource.query<SealpostUser[]>(
      `SELECT id, organisation_id AS "organisationId", email FROM users
        WHERE lower(email) = lower($1) AND status = 'active'`,
      [email],
    );
    return row ?? null;
  }

  private async preview(user: SealpostUser, recipients: string[], tag: string) {
    const mailboxes = recipients.flatMap((value) => {
      const mailbox = parseMailbox(value);
      return mailbox ? [mailbox] : [];
    });
    return previewRecipients(
      this.planner,
      { organisationId: user.organisationId, from: user.email, subject: tag, headers: {} },
      mailboxes,
    );
  }

  private async recentSecureMessages(user: SealpostUser): Promise<RecentSecureMessage[]> {
    const rows = await this.dataSource.query<
      { id: string; created_at: Date; recipients: string; methods: string[] }[]
    >(
      `SELECT m.id, m.created_at, count(*) AS recipients,
              array_agg(DISTINCT r.method ORDER BY r.method) AS methods
         FROM messages m
         JOIN message_recipients r ON r.message_id = m.id AND r.organisation_id = m.organisation_id
        WHERE m.organisation_id = $1
          AND (lower(m.from_address) = lower($2)
               OR right(lower(m.from_address), length($2) + 2) = '<' || lower($2) || '>')
          AND r.method IN ('pgp', 'smime', 'tls', 'portal')
        GROUP BY m.id, m.created_at
        ORDER BY m.created_at DESC
        LIMIT ${RECENT_LIMIT}`,
      [user.organisationId, user.email],
    );
    return rows.map((row) => ({
      id: row.id,
      createdAt: row.created_at,
      recipients: Number(row.recipients),
      methods: row.methods,
    }));
  }
}
