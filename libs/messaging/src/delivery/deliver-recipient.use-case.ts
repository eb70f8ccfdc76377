import { Inject, Injectable } from '@nestjs/common';
import { EnvelopeCipher, SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { VerifiedPgpKeys } from '@sealpost/encryption';
import { type MessageContent, openContent } from '../messages/message-content';
import { parseMailbox } from '../messages/mailbox';
import { rawForDelivery } from '../messages/raw-mime';
import { type DeliveryJob } from '../outbox/delivery-job';
import { PortalLinkIssuer } from '../portal/portal-link-issuer';
import { type DeliveryOutcome } from './delivery-outcome';
import {
  type AttemptRecord,
  type ClaimedRecipient,
  type RecordedDecision,
} from './delivery-recorder';
import { buildMime } from './mime-builder';
import { protectMessage, type ProtectedMessage } from './protected-message';
import { type ProtectionPlan, ProtectionPlanner } from './protection-planner';
import { type Route } from './route-resolver';
import { SmtpConnectionPool, type SmtpEnvelope } from './smtp-connection-pool';
import { SmtpFailure } from './smtp-failure';
import { TrackingDecorator } from '../tracking/tracking-decorator';
import { VerpAddresses } from '../bounces/verp-addresses';

interface LoadedMessage {
  from: string;
  createdAt: Date;
  content: MessageContent;
}

/**
 * One attempt to deliver one claimed recipient's copy: decide how it must be protected, build
 * and protect the MIME message, send it. DeliverBatchUseCase claims and records around it.
 */
@Injectable()
export class DeliverRecipientUseCase {
  constructor(
    private readonly cipher: EnvelopeCipher,
    private readonly planner: ProtectionPlanner,
    private readonly pool: SmtpConnectionPool,
    private readonly portal: PortalLinkIssuer,
    private readonly pgpKeys: VerifiedPgpKeys,
    private readonly tracking: TrackingDecorator,
    private readonly verp: VerpAddresses,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
  ) {}

  /**
   * Plans and makes one attempt for a claimed recipient; the caller records the outcome, so a
   * batch's outcomes are written together.
   */
  async attempt(job: DeliveryJob, claimed: ClaimedRecipient): Promise<AttemptRecord> {
    const message = this.load(job, claimed);
    const plan = await this.planner.plan({
      organisationId: job.organisationId,
      from: message.from,
      subject: message.content.subject,
      headers: message.content.headers,
      text: message.content.text,
      html: message.content.html,
      recipient: { address: claimed.address, domain: claimed.domain },
    });
    const decision: RecordedDecision = {
      method: plan.decision.method,
      reasons: [...plan.decision.reasons],
      protectionRequired: plan.protectionRequired,
      protectionReasons: plan.protectionReasons,
    };

    const outcome = await this.deliver(job, claimed, message, plan);
    return { job, claimed, outcome, decision };
  }

  private async deliver(
    job: DeliveryJob,
    claimed: ClaimedRecipient,
    message: LoadedMessage,
    plan: ProtectionPlan,
  ): Promise<DeliveryOutcome> {
    if (plan.decision.action === 'drop') {
      const reason = `no protected method available: ${plan.decision.reasons.join('; ')}`;
      return { kind: 'failure', host: null, failure: new SmtpFailure('tls', reason) };
    }
    if (!plan.route) {
      const reason = plan.decision.reasons.at(-1) ?? 'no route to the domain';
      return { kind: 'failure', host: null, failure: new SmtpFailure('temporary', reason) };
    }
    const mime =
      plan.decision.method === 'portal'
        ? await this.portal.composeNotice({
            organisationId: job.organisationId,
            messageId: claimed.messageId,
            recipientId: job.recipientId,
            address: claimed.address,
            from: message.from,
          })
        : await this.compose(job, claimed, message, plan);
    const protectedMessage = await protectMessage(plan, mime, this.pgpKeys);
    // The return path names this copy (VERP), so a later bounce notice finds it.
    const sender = parseMailbox(message.from)?.address ?? '';
    const envelope = {
      from: this.verp.envelopeSenderFor(job.recipientId, sender),
      to: [claimed.address],
    };
    return this.send(plan.route, envelope, protectedMessage);
  }

  /**
   * The recipient's copy: a gateway message as received (tags cut from the subject, Bcc
   * dropped), never re-composed or tracked; an API message composed and tracked per copy.
   */
  private async compose(
    job: DeliveryJob,
    claimed: ClaimedRecipient,
    message: LoadedMessage,
    plan: ProtectionPlan,
  ): Promise<Buffer> {
    const { content } = message;
    if (content.raw !== undefined) {
      const retagged = plan.subject !== content.subject ? plan.subject : null;
      return rawForDelivery(Buffer.from(content.raw, 'latin1'), retagged);
    }
    return buildMime({
      messageId: claimed.messageId,
      from: message.from,
      createdAt: message.createdAt,
      // Per recipient, so each copy's pixel and links name its own recipient.
      content: await this.tracking.decorate(
        {
          organisationId: job.organisationId,
          messageId: claimed.messageId,
          recipientId: job.recipientId,
        },
        { ...content, subject: plan.subject },
      ),
      idDomain: this.config.delivery.ehloName,
    });
  }

  private load(job: DeliveryJob, claimed: ClaimedRecipient): LoadedMessage {
    const { fromAddress, createdAt, sealed } = claimed.message;
    return {
      from: fromAddress,
      createdAt,
      content: openContent(this.cipher, job.organisationId, claimed.messageId, sealed),
    };
  }

  private async send(
    route: Route,
    envelope: SmtpEnvelope,
    message: ProtectedMessage,
  ): Promise<DeliveryOutcome> {
    let last: DeliveryOutcome | undefined;
    for (const hop of route.hops) {
      try {
        // Only the first server was probed, so only it is asked for REQUIRETLS.
        const requireTls = message.requireTls === true && hop === route.hops[0];
        const delivery = await this.pool.send(
          hop,
          requireTls ? { ...envelope, requireTLSExtensionEnabled: true } : envelope,
          message.raw,
          message.security,
        );
        return { kind: 'delivered', host: hop.host, ...delivery };
      } catch (error) {
        if (!(error instanceof SmtpFailure)) {
          throw error;
        }
        last = { kind: 'failure', host: hop.host, failure: error };
        // Only an unreachable server moves on to the next MX; a server that answered has
        // spoken for the domain.
        if (error.kind !== 'temporary' || error.responseCode !== undefined) {
          break;
        }
      }
    }
    return (
      last ?? { kind: 'failure', host: null, failure: new SmtpFailure('temporary', 'no route') }
    );
  }
}
