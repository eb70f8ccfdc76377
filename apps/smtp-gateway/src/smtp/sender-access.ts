import { Injectable } from '@nestjs/common';
import { GatewayAccessService, parseMailbox, type RangeMatch } from '@sealpost/messaging';
import { SmtpRefusal } from './smtp-refusal';

/** Who a mail transaction is for, decided at MAIL FROM. */
export type TransactionAccess =
  | { kind: 'organisation'; organisationId: string; via: 'auth' | 'range' }
  /** The null sender of an unknown host: only bounce recipients may follow. */
  | { kind: 'bounce-only' };

/**
 * Decides which organisation a transaction belongs to: SMTP AUTH decides when the client
 * authenticated; else the connecting address must lie in one organisation's sender ranges
 * (narrowed by sender domain where a range lists domains). Anything else is refused, except
 * the null sender, which may still deliver a bounce.
 */
@Injectable()
export class SenderAccess {
  constructor(private readonly access: GatewayAccessService) {}

  async decide(input: {
    authenticatedOrganisationId?: string;
    remoteAddress: string;
    mailFrom: string;
  }): Promise<TransactionAccess> {
    const nullSender = input.mailFrom === '';
    const sender = nullSender ? null : parseMailbox(input.mailFrom);
    if (!nullSender && !sender) {
      throw new SmtpRefusal('sender_invalid');
    }
    if (input.authenticatedOrganisationId) {
      return {
        kind: 'organisation',
        organisationId: input.authenticatedOrganisationId,
        via: 'auth',
      };
    }
    const ranges = await this.access.rangesHolding(input.remoteAddress);
    if (!sender) {
      return { kind: 'bounce-only' };
    }
    const organisations = organisationsFor(ranges, sender.domain);
    if (organisations.length === 1) {
      return { kind: 'organisation', organisationId: organisations[0], via: 'range' };
    }
    if (organisations.length > 1) {
      throw new SmtpRefusal('sender_ambiguous');
    }
    throw new SmtpRefusal(ranges.length ? 'sender_not_allowed' : 'auth_required');
  }
}

/** The distinct organisations whose ranges admit this sender domain. */
export function organisationsFor(ranges: RangeMatch[], senderDomain: string): string[] {
  const admitting = ranges.filter(
    (range) => !range.senderDomains.length || range.senderDomains.includes(senderDomain),
  );
  return [...new Set(admitting.map((range) => range.organisationId))];
}
