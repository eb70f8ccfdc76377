import { Injectable } from '@nestjs/common';
import { RouteResolver } from '../delivery/route-resolver';
import { SmtpConnectionPool } from '../delivery/smtp-connection-pool';
import { SmtpFailure } from '../delivery/smtp-failure';

/**
 * Sends the portal's own short emails (the one-time code) from the api, straight away: the
 * recipient is waiting on the page. They carry no PHI, so opportunistic TLS is enough.
 */
@Injectable()
export class PortalMailer {
  constructor(
    private readonly routes: RouteResolver,
    private readonly pool: SmtpConnectionPool,
  ) {}

  async send(envelope: { from: string; to: string; domain: string }, raw: Buffer): Promise<void> {
    const route = await this.routes.resolve(envelope.domain);
    let last: unknown = new SmtpFailure('temporary', 'no route');
    for (const hop of route.hops) {
      try {
        await this.pool.send(hop, { from: envelope.from, to: [envelope.to] }, raw, 'opportunistic');
        return;
      } catch (error) {
        last = error;
      }
    }
    throw last;
  }
}
