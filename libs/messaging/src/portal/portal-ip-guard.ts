import { Inject, Injectable } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { PortalError, PortalErrorCode } from './portal-error';
import { PortalRateLimiter } from './portal-rate-limiter';

// The window the per-IP limit counts in; SEALPOST_PORTAL_IP_LIMIT is per this window.
export const IP_WINDOW_SECONDS = 15 * 60;

/** Limits code requests and code entries per client address, across all links. */
@Injectable()
export class PortalIpGuard {
  constructor(
    private readonly limiter: PortalRateLimiter,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
  ) {}

  async check(ip: string): Promise<void> {
    const verdict = await this.limiter.hit(
      'ip',
      ip,
      this.config.portal.attemptsPerIp,
      IP_WINDOW_SECONDS,
    );
    if (!verdict.allowed) {
      throw new PortalError(PortalErrorCode.TooManyAttempts, {
        retryAfterSeconds: verdict.retryAfterSeconds,
      });
    }
  }
}
