import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { LRUCache } from 'lru-cache';
import { type MessageContent } from '../messages/message-content';
import { applyTracking, findTrackingSpots, type TrackingSpots } from './html-tracking-rewriter';
import { OrganisationSettingsService } from './organisation-settings.service';
import { MAX_TRACKED_URL_BYTES, type TrackedCopy, TrackingTokens } from './tracking-tokens';

// The recipients of one message are delivered together in a batch: their HTML is parsed
// once. Entries hold offsets and URLs only, keyed by a hash of the HTML.
const SPOTS_CACHE_MAX = 256;

/**
 * Adds the open pixel and tracked links to one recipient's copy at delivery, when the
 * organisation and the message allow it. Only the HTML part changes; the stored message
 * never does, so the portal (which shows the stored message) is never tracked.
 */
@Injectable()
export class TrackingDecorator {
  private readonly baseUrl: string;
  private readonly spots = new LRUCache<string, TrackingSpots>({ max: SPOTS_CACHE_MAX });

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
    const { html } = applyTracking(content.html, this.spotsOf(content.html), {
      pixel: `${this.baseUrl}/t/o/${this.tokens.sign({ ...copy, kind: 'open' })}`,
      link: (link, url) =>
        Buffer.byteLength(url) > MAX_TRACKED_URL_BYTES
          ? null
          : `${this.baseUrl}/t/c/${this.tokens.sign({ ...copy, kind: 'click', link, url })}`,
    });
    return { ...content, html };
  }

  private spotsOf(html: string): TrackingSpots {
    const key = createHash('sha256').update(html).digest('base64');
    let spots = this.spots.get(key);
    if (!spots) {
      spots = findTrackingSpots(html);
      this.spots.set(key, spots);
    }
    return spots;
  }
}
