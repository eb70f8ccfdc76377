import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { Clock } from './clock.port';
import { normalizeHost } from './mta-sts-policy';
import { SmtpTlsDialogue, type SmtpTlsTimeouts } from './smtp-tls-dialogue';
import { TlsProbeAbort, type TlsProbeResult } from './tls-probe-result';

export interface TlsProbeRequest {
  /** The name the certificate must be valid for (the MX name); defaults to `host`. */
  servername?: string;
  /** PEM certificates trusted in addition to Node's bundled roots. */
  extraCaPem?: string[];
}

export interface TlsProbeOptions extends SmtpTlsTimeouts {
  /** How long a successful result is reused. */
  ttlMs: number;
  /** How long a failed result is reused; shorter, so a fixed server is noticed soon. */
  failureTtlMs: number;
  /** Results remembered at most; the oldest is forgotten first. */
  maxEntries: number;
  /** The name we give in EHLO. */
  ehloName: string;
}

export const TLS_PROBE_OPTIONS = Symbol('TLS_PROBE_OPTIONS');

const DEFAULTS: Omit<TlsProbeOptions, 'ehloName'> = {
  // TLS setups of receiving servers change rarely; ten minutes spares them a probe per message.
  ttlMs: 10 * 60_000,
  // A failure sends mail the slower way (the portal), so it is rechecked sooner, but not on
  // every message: a server that times out would otherwise cost a timeout each time.
  failureTtlMs: 2 * 60_000,
  maxEntries: 10_000,
  connectTimeoutMs: 10_000,
  // Some servers delay their greeting on purpose to catch spam bots (often 5 to 10 s).
  replyTimeoutMs: 30_000,
  handshakeTimeoutMs: 15_000,
};

interface CachedProbe {
  result: TlsProbeResult;
  expiresAt: number;
}

/**
 * Finds out whether an SMTP server accepts mail over STARTTLS with TLS 1.2 or later and a
 * certificate that verifies for its name, and whether it offers REQUIRETLS. Results are
 * cached per server and trust settings; concurrent probes of one server share one session.
 */
@Injectable()
export class TlsProbeService {
  private readonly cache = new Map<string, CachedProbe>();
  private readonly inflight = new Map<string, Promise<TlsProbeResult>>();
  private readonly options: TlsProbeOptions;

  constructor(
    private readonly clock: Clock,
    @Optional() @Inject(TLS_PROBE_OPTIONS) options: Partial<TlsProbeOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ehloName: hostname(), ...options };
  }

  probe(host: string, port: number, request: TlsProbeRequest = {}): Promise<TlsProbeResult> {
    if (!host.trim() || !Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new RangeError('probe needs a host and a port between 1 and 65535');
    }
    const servername = normalizeHost(request.servername ?? host);
    const extraCaPem = request.extraCaPem ?? [];
    const key = cacheKey(host, port, servername, extraCaPem);

    const cached = this.cache.get(key);
    if (cached && this.clock.now().getTime() < cached.expiresAt) {
      return Promise.resolve(cached.result);
    }
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.run(host, port, servername, extraCaPem)
        .then((result) => this.remember(key, result))
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async run(
    host: string,
    port: number,
    servername: string,
    extraCaPem: string[],
  ): Promise<TlsProbeResult> {
    const { ehloName } = this.options;
    const target = { host, port, servername, extraCaPem, ehloName };
    const base = { host, port, servername, probedAt: this.clock.now() };
    try {
      const facts = await new SmtpTlsDialogue(target, this.options).run();
      return { ...base, starttls: true, certificateVerified: true, ...facts };
    } catch (error) {
      const abort =
        error instanceof TlsProbeAbort
          ? error
          : new TlsProbeAbort('connect_failed', `probe of ${servername} failed unexpectedly`);
      return {
        ...base,
        starttls: abort.starttls,
        certificateVerified: false,
        requireTls: false,
        failure: { code: abort.code, reason: abort.reason },
      };
    }
  }

  private remember(key: string, result: TlsProbeResult): TlsProbeResult {
    const ttl = result.failure ? this.options.failureTtlMs : this.options.ttlMs;
    this.cache.delete(key);
    this.cache.set(key, { result, expiresAt: this.clock.now().getTime() + ttl });
    if (this.cache.size > this.options.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) {
        this.cache.delete(oldest);
      }
    }
    return result;
  }
}

/** Trust settings are part of the key: a result under one CA list says nothing of another. */
function cacheKey(host: string, port: number, servername: string, ca: string[]): string {
  const trust = ca.length ? createHash('sha256').update(ca.join('\n')).digest('hex') : 'system';
  return `${normalizeHost(host)}:${port}:${servername}:${trust}`;
}
