import { Inject, Injectable, Logger } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { Clock } from '@sealpost/encryption';
import { DataSource } from 'typeorm';
import { parseMailbox } from '../messages/mailbox';
import { PortalLinksRepository } from './portal-links.repository';
import { composePortalNotice } from './portal-notice';
import { PortalTokens } from './portal-tokens';

export interface PortalCopy {
  organisationId: string;
  messageId: string;
  recipientId: string;
  /** The recipient's address: the notice goes there, and only the code can follow it. */
  address: string;
  /** The message's From, `Name <address>`. */
  from: string;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * What delivery sends a portal recipient instead of the message: a new signed link, stored
 * only as a hash, inside a notice that carries no PHI.
 */
@Injectable()
export class PortalLinkIssuer {
  private readonly logger = new Logger(PortalLinkIssuer.name);

  constructor(
    private readonly tokens: PortalTokens,
    private readonly links: PortalLinksRepository,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
  ) {}

  async composeNotice(copy: PortalCopy): Promise<Buffer> {
    const { presented, tokenHash } = this.tokens.newLinkToken();
    const expiresAt = new Date(this.clock.now().getTime() + this.config.portal.linkDays * DAY_MS);
    const [linkId, organisationName] = await Promise.all([
      this.links.issue({ ...copy, tokenHash, expiresAt }),
      this.organisationName(copy.organisationId),
    ]);
    this.logger.log(
      { messageId: copy.messageId, recipientId: copy.recipientId, linkId },
      'portal link issued',
    );

    return composePortalNotice({
      from: copy.from,
      senderName: parseMailbox(copy.from)?.name ?? '',
      organisationName,
      to: copy.address,
      link: `${this.config.portal.publicUrl}/portal/${presented}`,
      expiresAt,
      idDomain: this.config.delivery.ehloName,
    });
  }

  private async organisationName(organisationId: string): Promise<string> {
    const [row] = await this.dataSource.query<{ name: string }[]>(
      'SELECT name FROM organisations WHERE id = $1',
      [organisationId],
    );
    return row?.name ?? '';
  }
}
