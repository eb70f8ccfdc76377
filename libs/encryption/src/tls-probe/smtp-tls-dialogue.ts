import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls, rootCertificates, type TLSSocket } from 'node:tls';
import { hasExtension, SmtpReadError, type SmtpReply, SmtpReplyReader } from './smtp-reply-reader';
import { classifyHandshakeError } from './tls-handshake-failure';
import { TlsProbeAbort } from './tls-probe-result';

export interface SmtpTlsTarget {
  host: string;
  port: number;
  /** The name the certificate must be valid for; also sent as SNI unless it is an address. */
  servername: string;
  extraCaPem: readonly string[];
  ehloName: string;
}

export interface SmtpTlsTimeouts {
  connectTimeoutMs: number;
  /** For the greeting and for each reply. */
  replyTimeoutMs: number;
  handshakeTimeoutMs: number;
}

export interface SmtpTlsFacts {
  tlsVersion: string;
  cipher: string;
  requireTls: boolean;
}

// QUIT is a courtesy; a server slow to answer it should not hold up the probe.
const QUIT_TIMEOUT_MS = 2_000;

/**
 * One SMTP session that goes as far as a verified STARTTLS upgrade and the EHLO after it
 * (RFC 5321, RFC 3207), then quits. Each step has its own bound, so the whole session is
 * bounded by their sum. It either resolves with what it saw or rejects with a TlsProbeAbort.
 */
export class SmtpTlsDialogue {
  private readonly sockets: Socket[] = [];

  constructor(
    private readonly target: SmtpTlsTarget,
    private readonly timeouts: SmtpTlsTimeouts,
  ) {}

  async run(): Promise<SmtpTlsFacts> {
    try {
      const plain = await this.connect();
      const reader = new SmtpReplyReader(plain);
      await this.expect(reader.read(this.timeouts.replyTimeoutMs), 'the greeting', [220]);

      const ehlo = await this.expect(this.send(reader, `EHLO ${this.target.ehloName}`), 'EHLO');
      if (ehlo.code !== 250 || !hasExtension(ehlo, 'STARTTLS')) {
        throw new TlsProbeAbort('no_starttls', `${this.name} offered no STARTTLS`);
      }
      const ready = await this.expect(this.send(reader, 'STARTTLS'), 'STARTTLS');
      if (ready.code !== 220) {
        const reason = `${this.name} refused STARTTLS (${ready.code})`;
        throw new TlsProbeAbort('no_starttls', reason, true);
      }
      this.detach(reader);

      const secure = await this.upgrade(plain);
      const tlsReader = new SmtpReplyReader(secure);
      const tlsEhlo = await this.expect(
        this.send(tlsReader, `EHLO ${this.target.ehloName}`),
        'EHLO',
      );
      await tlsReader.command('QUIT', QUIT_TIMEOUT_MS).catch(() => undefined);

      return {
        tlsVersion: secure.getProtocol() ?? '',
        cipher: secure.getCipher().name,
        requireTls: tlsEhlo.code === 250 && hasExtension(tlsEhlo, 'REQUIRETLS'),
      };
    } finally {
      this.sockets.forEach((socket) => socket.destroy());
    }
  }

  private get name(): string {
    return this.target.servername;
  }

  private send(reader: SmtpReplyReader, line: string): Promise<SmtpReply> {
    return reader.command(line, this.timeouts.replyTimeoutMs);
  }

  private connect(): Promise<Socket> {
    const { host, port } = this.target;
    return new Promise<Socket>((resolve, reject) => {
      const socket = connectTcp({ host, port });
      this.track(socket);
      const timer = setTimeout(() => {
        const limit = formatMs(this.timeouts.connectTimeoutMs);
        reject(
          new TlsProbeAbort('timeout', `${this.name} port ${port} did not answer in ${limit}`),
        );
      }, this.timeouts.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(socket);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const reason = `could not connect to ${this.name} port ${port} (${error.code ?? 'error'})`;
        reject(new TlsProbeAbort('connect_failed', reason));
      });
    });
  }

  /** Waits for a reply, turning read failures into probe failures that name the step. */
  private async expect(
    pending: Promise<SmtpReply>,
    step: string,
    codes?: number[],
  ): Promise<SmtpReply> {
    let reply: SmtpReply;
    try {
      reply = await pending;
    } catch (error) {
      const failure = error instanceof SmtpReadError ? error.failure : 'closed';
      const limit = formatMs(this.timeouts.replyTimeoutMs);
      switch (failure) {
        case 'timeout':
          throw new TlsProbeAbort('timeout', `${this.name} did not answer ${step} in ${limit}`);
        case 'malformed':
          throw new TlsProbeAbort('connect_failed', `${this.name} sent a malformed reply`);
        case 'closed':
          throw new TlsProbeAbort('connect_failed', `${this.name} closed the connection`);
      }
    }
    if (codes && !codes.includes(reply.code)) {
      throw new TlsProbeAbort('connect_failed', `${this.name} answered ${step} with ${reply.code}`);
    }
    return reply;
  }

  private detach(reader: SmtpReplyReader): void {
    try {
      reader.detach();
    } catch {
      const reason = `${this.name} sent data before the TLS handshake`;
      throw new TlsProbeAbort('connect_failed', reason, true);
    }
  }

  private upgrade(plain: Socket): Promise<TLSSocket> {
    const { servername, extraCaPem } = this.target;
    return new Promise<TLSSocket>((resolve, reject) => {
      const secure = connectTls({
        socket: plain,
        // Node verifies the certificate against `servername`, else `host`; an address can be
        // verified but must not be sent as SNI (RFC 6066 section 3).
        host: servername,
        servername: isIP(servername) ? undefined : servername,
        minVersion: 'TLSv1.2',
        rejectUnauthorized: true,
        ca: extraCaPem.length ? [...rootCertificates, ...extraCaPem] : undefined,
      });
      this.track(secure);
      const timer = setTimeout(() => {
        const limit = formatMs(this.timeouts.handshakeTimeoutMs);
        const reason = `${this.name} did not complete the TLS handshake in ${limit}`;
        reject(new TlsProbeAbort('timeout', reason, true));
      }, this.timeouts.handshakeTimeoutMs);
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        if (!secure.authorized) {
          reject(classifyHandshakeError(secure.authorizationError, this.name));
          return;
        }
        resolve(secure);
      });
      secure.once('error', (error) => {
        clearTimeout(timer);
        reject(classifyHandshakeError(error, this.name));
      });
    });
  }

  /** Keeps sockets for the final clean-up, with a listener so late errors are not thrown. */
  private track(socket: Socket): void {
    socket.on('error', () => undefined);
    this.sockets.push(socket);
  }
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${ms / 1000} s`;
}
