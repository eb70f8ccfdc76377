import { createServer, type Server } from 'node:https';
import { type AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { issueCertificate, type TestCa } from '@sealpost/test-peers';
import { NodeWkdHttps } from '../wkd-https.port';

export interface PublishedAnswer {
  status: number;
  body?: Uint8Array;
  /** Never answers, to test the timeout. */
  hang?: boolean;
}

/** The real HTTPS client, with the names a test published pointed at the loopback server. */
export class LoopbackWkdHttps extends NodeWkdHttps {
  constructor(
    private readonly server: LoopbackWkdServer,
    extraCaPem: string[],
    timeoutMs: number,
  ) {
    super({ extraCaPem, timeoutMs });
  }

  protected override endpoint(hostname: string): Promise<{ host: string; port: number }> {
    if (!this.server.serves(hostname)) {
      const error = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      return Promise.reject(Object.assign(error, { code: 'ENOTFOUND' }));
    }
    return Promise.resolve({ host: '127.0.0.1', port: this.server.port });
  }
}

/**
 * A real HTTPS server on loopback playing every Web Key Directory a test publishes to. It
 * presents, per name asked for (SNI), a certificate the test CA issued when the test first
 * published something there; a name never published does not resolve.
 */
export class LoopbackWkdServer {
  private readonly answers = new Map<string, PublishedAnswer>();
  private readonly contexts = new Map<string, { key: string; cert: string }>();
  private readonly requests: string[] = [];

  private readonly server: Server;

  private constructor(private readonly ca: TestCa) {
    this.server = createServer(
      {
        SNICallback: (name, done) => {
          const pair = this.contexts.get(name);
          done(pair ? null : new Error('unknown name'), pair && createSecureContext(pair));
        },
      },
      (req, res) => {
        const seen = `${req.headers.host ?? ''}${req.url ?? ''}`;
        this.requests.push(seen);
        const answer = this.answers.get(seen);
        if (answer?.hang) {
          return;
        }
        res.writeHead(answer?.status ?? 404, { 'content-type': 'application/octet-stream' });
        res.end(answer?.body ? Buffer.from(answer.body) : undefined);
      },
    );
  }

  static async start(ca: TestCa): Promise<LoopbackWkdServer> {
    const directory = new LoopbackWkdServer(ca);
    await new Promise<void>((resolve) => directory.server.listen(0, '127.0.0.1', resolve));
    return directory;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  serves(hostname: string): boolean {
    return this.contexts.has(hostname);
  }

  publish(url: URL, answer: PublishedAnswer): void {
    if (!this.contexts.has(url.hostname)) {
      // Issued now, not at the handshake, so a short timeout measures the answer alone.
      const issued = issueCertificate(this.ca, {
        commonName: url.hostname,
        dnsNames: [url.hostname],
      });
      this.contexts.set(url.hostname, { key: issued.keyPem, cert: issued.certPem });
    }
    this.answers.set(url.hostname + url.pathname + url.search, answer);
  }

  requestsFor(url: URL): number {
    const wanted = url.hostname + url.pathname + url.search;
    return this.requests.filter((seen) => seen === wanted).length;
  }

  /** A client that trusts `trustedCaPem` (the test CA, unless a test wants a stranger). */
  client(trustedCaPem: string[], timeoutMs = 2_000): LoopbackWkdHttps {
    return new LoopbackWkdHttps(this, trustedCaPem, timeoutMs);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
