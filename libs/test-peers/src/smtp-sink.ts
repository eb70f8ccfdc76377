import { type AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMessage {
  from: string;
  to: string[];
  raw: Buffer;
  secure: boolean;
  tlsCipher?: string;
  /** The sender asked for TLS on every onward hop (RFC 8689 REQUIRETLS on MAIL FROM). */
  requireTls: boolean;
}

export interface SinkOptions {
  /** Certificate for STARTTLS; without it the sink offers no STARTTLS at all. */
  tls?: {
    keyPem: string;
    certPem: string;
    minVersion?: string;
    maxVersion?: string;
    ciphers?: string;
  };
  /** Reply for RCPT TO; null accepts. */
  rcptReply?: (address: string) => { code: number; message: string } | null;
  /** Lists REQUIRETLS in the EHLO after STARTTLS (smtp-server hides it by default). */
  offerRequireTls?: boolean;
}

/**
 * A real SMTP server on loopback that keeps what it receives, for tests and benchmarks.
 * Optionally offers STARTTLS with a given certificate and TLS versions.
 */
export class SmtpSink {
  readonly messages: ReceivedMessage[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(options: SinkOptions = {}, port = 0): Promise<SmtpSink> {
    // onData needs the sink, which exists only once the server listens.
    const ref: { sink?: SmtpSink } = {};
    const serverOptions: SMTPServerOptions = {
      secure: false,
      authOptional: true,
      disabledCommands: options.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
      hideSTARTTLS: !options.tls,
      hideREQUIRETLS: !options.offerRequireTls,
      logger: false,
      size: 100 * 1024 * 1024,
      maxClients: 500,
      onRcptTo(address, _session, callback) {
        const reply = options.rcptReply?.(address.address);
        if (reply) {
          callback(Object.assign(new Error(reply.message), { responseCode: reply.code }));
          return;
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          ref.sink?.receive({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            raw: Buffer.concat(chunks),
            secure: session.secure,
            tlsCipher: (session as { tlsOptions?: { name?: string } }).tlsOptions?.name,
            requireTls: session.envelope.requireTLS === true,
          });
          callback();
        });
      },
    };
    if (options.tls) {
      Object.assign(serverOptions, {
        key: options.tls.keyPem,
        cert: options.tls.certPem,
        minVersion: options.tls.minVersion ?? 'TLSv1.2',
        maxVersion: options.tls.maxVersion,
        ciphers: options.tls.ciphers,
      });
    }
    const server = new SMTPServer(serverOptions);
    server.on('error', () => undefined);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const address = (server as unknown as { server: { address(): AddressInfo } }).server.address();
    ref.sink = new SmtpSink(server, address.port);
    return ref.sink;
  }

  /** Resolves once at least `count` messages have arrived, or rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs = 30_000): Promise<void> {
    if (this.messages.length >= count) {
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`sink got ${this.messages.length} of ${count} messages`)),
        timeoutMs,
      );
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** How many received copies repeat an earlier (Message-ID, recipient) pair. */
  duplicates(): number {
    const seen = new Set<string>();
    let duplicates = 0;
    for (const message of this.messages) {
      const id = /^Message-ID:\s*(\S+)/im.exec(message.raw.toString('latin1'))?.[1] ?? '';
      const key = `${id} ${message.to.join(',')}`;
      if (seen.has(key)) {
        duplicates += 1;
      }
      seen.add(key);
    }
    return duplicates;
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(message: ReceivedMessage): void {
    this.messages.push(message);
    const ready = this.waiters.filter((waiter) => this.messages.length >= waiter.count);
    this.waiters = this.waiters.filter((waiter) => this.messages.length < waiter.count);
    ready.forEach((waiter) => waiter.resolve());
  }
}
