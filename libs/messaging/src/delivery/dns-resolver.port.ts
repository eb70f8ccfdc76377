import { promises as dns } from 'node:dns';
import { Injectable } from '@nestjs/common';

export interface MxRecord {
  exchange: string;
  priority: number;
}

/** DNS behind a port, so tests choose real resolution or a fixed answer per case. */
export abstract class DnsResolverPort {
  abstract resolveMx(domain: string): Promise<MxRecord[]>;
}

@Injectable()
export class SystemDnsResolver extends DnsResolverPort {
  async resolveMx(domain: string): Promise<MxRecord[]> {
    try {
      return await dns.resolveMx(domain);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // No MX record: RFC 5321 section 5.1 says to use the domain itself (implicit MX).
      if (code === 'ENODATA') {
        return [{ exchange: domain, priority: 0 }];
      }
      throw error;
    }
  }
}
