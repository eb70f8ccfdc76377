import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import { Injectable } from '@nestjs/common';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Name resolution behind a port, so tests can make a name resolve to a private address. */
export abstract class WebhookAddressResolver {
  abstract resolve(hostname: string): Promise<ResolvedAddress[]>;
}

@Injectable()
export class SystemWebhookAddressResolver extends WebhookAddressResolver {
  async resolve(hostname: string): Promise<ResolvedAddress[]> {
    const literal = isIP(hostname);
    if (literal) {
      return [{ address: hostname, family: literal === 4 ? 4 : 6 }];
    }
    const found = await dns.lookup(hostname, { all: true, verbatim: true });
    return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
  }
}
