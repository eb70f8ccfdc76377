import { Inject, Injectable } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { type MessageContent } from '../messages/message-content';
import { addTracking } from './html-tracking-rewriter';
import { OrganisationSettingsService } from './organisation-settings.service';
import { MAX_TRACKED_URL_BYTES, type TrackedCopy, TrackingTokens } from './tracking-tokens';

/**
 * Adds the open pixel and tracked links to one recipient's copy at delivery, when the
 * organisation and the message allow it. Only the HTML part changes; the stored message
 * never does, so the portal (which shows the stored message) is never tracked.
 */
@Injectable()
export class TrackingDecorator {
  private readonly baseUrl: string;

  constructor(
    private readonly tokens: TrackingTokens,
    private readonly settings: OrganisationSettingsService,
    @Inject(SEALPOST_CONFIG) config: SealpostConfig,
  ) {
    this.baseUrl = config.portal.publicUrl;
  }

  async decorate(copy: TrackedCopy, content: MessageContent): Promise<MessageContent> {
    // The setting is read last: a copy without HTML costs no query.
    if (
      !content.html ||
      content.tracking === false ||
      !(await this.settings.trackingEnabled(copy.organisationId))
    ) {
      return content;
    }
    const { html } = addTracking(content.html, {
      pixel: `${this.baseUrl}/t/o/${this.tokens.sign({ ...copy, kind: 'open' })}`,
      link: (link, url) =>
        Buffer.byteLength(url) > MAX_TRACKED_URL_BYTES
          ? null
          : `${this.baseUrl}/t/c/${this.tokens.sign({ ...copy, kind: 'click', link, url })}`,
    });
    return { ...content, html };
  }
}
