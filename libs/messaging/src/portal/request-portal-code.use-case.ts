import { Inject, Injectable, Logger } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { Clock } from '@sealpost/encryption';
import { DataSource } from 'typeorm';
import { parseMailbox } from '../messages/mailbox';
import { PortalError, PortalErrorCode } from './portal-error';
import { PortalEvents, PortalEventType } from './portal-events';
import { PortalIpGuard } from './portal-ip-guard';
import { PortalLinkResolver } from './portal-link-resolver';
import { PortalLinksRepository } from './portal-links.repository';
import { PortalMailer } from './portal-mailer';
import { composeCodeNotice } from './portal-notice';
import { PortalRateLimiter } from './portal-rate-limiter';
import { PortalTokens } from './portal-tokens';

// Long enough to switch to the mail client and back; short enough that a code read later
// from a shared mailbox is useless.
export const CODE_VALID_MINUTES = 10;
// Each new code lifts a lockout, so new codes are what bounds guessing: at most this many per
// link per hour (five wrong entries each).
const CODES_PER_LINK_PER_HOUR = 5;

interface CopyRow {
  address: string;
  domain: string;
  from_address: string;
  organisation_name: string;
}

/** Emails a fresh one-time code to the link's recipient; a new code also ends a lockout. */
@Injectable()
export class RequestPortalCodeUseCase {
  private readonly logger = new Logger(RequestPortalCodeUseCase.name);

  constructor(
    private readonly resolver: PortalLinkResolver,
    private readonly links: PortalLinksRepository,
    private readonly tokens: PortalTokens,
    private readonly ipGuard: PortalIpGuard,
    private readonly limiter: PortalRateLimiter,
    private readonly mailer: PortalMailer,
    private readonly events: PortalEvents,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
  ) {}

  async execute(presented: string, ip: string): Promise<void> {
    await this.ipGuard.check(ip);
    const link = await this.resolver.resolve(presented);
    const perLink = await this.limiter.hit('code', link.id, CODES_PER_LINK_PER_HOUR, 3600);
    if (!perLink.allowed) {
      throw new PortalError(PortalErrorCode.TooManyCodes, {
        retryAfterSeconds: perLink.retryAfterSeconds,
      });
    }

    const copy = await this.copyOf(link.organisationId, link.recipientId);
    const code = this.tokens.newCode();
    const expiresAt = new Date(this.clock.now().getTime() + CODE_VALID_MINUTES * 60_000);
    const unlocked = await this.links.setCode(
      link.id,
      this.tokens.hashCode(link.id, code),
      expiresAt,
    );
    const raw = await composeCodeNotice({
      from: copy.from_address,
      organisationName: copy.organisation_name,
      to: copy.address,
      code,
      validMinutes: CODE_VALID_MINUTES,
      idDomain: this.config.delivery.ehloName,
    });
    const envelopeFrom = parseMailbox(copy.from_address)?.address ?? '';
    try {
      await this.mailer.send({ from: envelopeFrom, to: copy.address, domain: copy.domain }, raw);
    } catch (error) {
      // The recipient waits on the page: say so now rather than retry behind their back.
      const reason = error instanceof Error ? error.name : 'unknown';
      this.logger.warn(
        { linkId: link.id, messageId: link.messageId, reason },
        'portal code not sent',
      );
      throw new PortalError(PortalErrorCode.CodeNotSent);
    }

    await this.events.record(link, PortalEventType.CodeSent, { unlocked });
    this.logger.log({ linkId: link.id, messageId: link.messageId, unlocked }, 'portal code sent');
  }

  private async copyOf(organisationId: string, recipientId: string): Promise<CopyRow> {
    const [row] = await this.dataSource.query<CopyRow[]>(
      `SELECT r.address, r.domain, m.from_address, o.name AS organisation_name
         FROM message_recipients r
         JOIN messages m ON m.id = r.message_id AND m.organisation_id = r.organisation_id
         JOIN organisations o ON o.id = r.organisation_id
        WHERE r.id = $1 AND r.organisation_id = $2`,
      [recipientId, organisationId],
    );
    if (!row) {
      throw new PortalError(PortalErrorCode.LinkUnknown);
    }
    return row;
  }
}
