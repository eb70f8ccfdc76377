import { Inject, Injectable } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { DnsResolverPort } from './dns-resolver.port';

/** One server to try, in order, with how it must be secured. */
export interface SmtpHop {
  host: string;
  port: number;
  /** TLS from the first byte (smtps relay) rather than STARTTLS. */
  implicitTls: boolean;
  auth?: { user: string; pass: string };
  /** Name the certificate must match: the MX host, or the configured host. */
  servername: string;
}

export interface Route {
  via: 'transport-map' | 'relay' | 'mx';
  hops: SmtpHop[];
}

/** Thrown when a domain has no usable mail server; permanent when DNS says so. */
export class RouteError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/**
 * Where a recipient domain's mail goes: the transport map first (like Postfix), then the
 * configured smart host, else the domain's MX hosts by preference.
 */
@Injectable()
export class RouteResolver {
  constructor(
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
    private readonly dns: DnsResolverPort,
  ) {}

  async resolve(domain: string): Promise<Route> {
    const mapped = this.fromTransportMap(domain);
    if (mapped) {
      return mapped;
    }
    const relay = this.config.delivery.relay;
    if (relay) {
      const auth = relay.user ? { user: relay.user, pass: relay.password ?? '' } : undefined;
      const hop = { host: relay.host, port: relay.port, implicitTls: relay.implicitTls, auth };
      return { via: 'relay', hops: [{ ...hop, servername: relay.host }] };
    }
    return { via: 'mx', hops: await this.fromMx(domain) };
  }

  private fromTransportMap(domain: string): Route | null {
    const map = this.config.delivery.transportMap;
    const labels = domain.split('.');
    const candidates = [
      domain,
      ...labels.slice(1).map((_, i) => '.' + labels.slice(i + 1).join('.')),
    ];
    for (const key of candidates) {
      const route = map.get(key);
      if (route) {
        return {
          via: 'transport-map',
          hops: [
            { host: route.host, port: route.port, implicitTls: false, servername: route.host },
          ],
        };
      }
    }
    return null;
  }

  private async fromMx(domain: string): Promise<SmtpHop[]> {
    let records;
    try {
      records = await this.dns.resolveMx(domain);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EDNS';
      throw new RouteError(
        `DNS lookup of MX for the domain failed (${code})`,
        code === 'ENOTFOUND',
      );
    }
    // RFC 7505: a single MX of "." means the domain accepts no mail.
    if (records.length === 1 && (records[0].exchange === '' || records[0].exchange === '.')) {
      throw new RouteError('the domain publishes a null MX and accepts no mail', true);
    }
    return [...records]
      .sort((a, b) => a.priority - b.priority)
      .map((record) => ({
        host: record.exchange,
        port: 25,
        implicitTls: false,
        servername: record.exchange,
      }));
  }
}
