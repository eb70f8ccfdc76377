import { isIP } from 'node:net';
import {
  createSecureContext,
  rootCertificates,
  type SecureContext,
  type TLSSocket,
} from 'node:tls';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { type SmtpHop } from './route-resolver';
import { classifySmtpError, SmtpFailure } from './smtp-failure';

export interface SmtpEnvelope {
  from: string;
  to: string[];
  /** RFC 8689 REQUIRETLS on MAIL FROM; a server that no longer offers it refuses the send. */
  requireTLSExtensionEnabled?: boolean;
}

export interface SmtpDelivery {
  response: string;
  /** Empty when an opportunistic session stayed in plain text. */
  tlsVersion: string;
  tlsCipher: string;
}

/**
 * `verified-tls`: TLS 1.2+ with a certificate that verifies, or nothing is sent; the method
 * `tls` relies on it. `opportunistic`: STARTTLS when offered, unverified; for content that is
 * already end-to-end encrypted (PGP, S/MIME) or that policy lets go unprotected.
 */
export type TransportSecurity = 'verified-tls' | 'opportunistic';

interface PooledConnection {
  security: TransportSecurity;
  connection: SMTPConnection;
  tlsVersion: string;
  tlsCipher: string;
  sent: number;
  closed: boolean;
  idleTimer?: NodeJS.Timeout;
}

interface HopPool {
  idle: PooledConnection[];
  open: number;
  waiting: (() => void)[];
}

// Bounds that keep one slow or hostile server from holding the worker.
const GREETING_TIMEOUT_MS = 30_000;
const SOCKET_TIMEOUT_MS = 120_000;
// Servers commonly cap messages per session around 100; reconnecting early avoids a 421.
const MAX_MESSAGES_PER_CONNECTION = 100;
// Idle sessions tie up the receiver's slots; RFC 5321 servers wait at least 5 minutes.
const IDLE_CLOSE_MS = 30_000;

/**
 * Keeps verified-TLS SMTP sessions per server and sends through them. Every session must be
 * encrypted with TLS 1.2 or later and a certificate that verifies for the server's name;
 * otherwise nothing is sent and the failure says why.
 */
@Injectable()
export class SmtpConnectionPool implements OnApplicationShutdown {
  private readonly pools = new Map<string, HopPool>();
  // Built once: a context holding the whole CA list costs tens of milliseconds to make, which
  // every new session would otherwise pay.
  private readonly contexts: Record<TransportSecurity, SecureContext>;

  constructor(@Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig) {
    const extra = config.delivery.extraCaPem;
    const ca = extra.length ? [...rootCertificates, ...extra] : undefined;
    this.contexts = {
      'verified-tls': createSecureContext({ ca, minVersion: 'TLSv1.2' }),
      opportunistic: createSecureContext({ minVersion: 'TLSv1' }),
    };
  }

  async send(
    hop: SmtpHop,
    envelope: SmtpEnvelope,
    raw: Buffer,
    security: TransportSecurity = 'verified-tls',
  ): Promise<SmtpDelivery> {
    const pooled = await this.acquire(hop, security);
    const reused = pooled.sent > 0;
    try {
      const response = await this.transmit(pooled, envelope, raw);
      this.release(hop, pooled);
      return { response, tlsVersion: pooled.tlsVersion, tlsCipher: pooled.tlsCipher };
    } catch (error) {
      const failure = classifySmtpError(error, hop.host);
      const envelopeRefused = failure.responseCode !== undefined && failure.responseCode !== 421;
      if (envelopeRefused && !pooled.closed) {
        await this.resetOrDiscard(hop, pooled);
      } else {
        this.discard(hop, pooled);
      }
      // A reused session may have been closed by the server while idle: one fresh try.
      if (reused && failure.responseCode === undefined && failure.kind === 'temporary') {
        return this.send(hop, envelope, raw, security);
      }
      throw failure;
    }
  }

  onApplicationShutdown(): void {
    for (const pool of this.pools.values()) {
      for (const pooled of pool.idle) {
        this.close(pooled);
      }
      pool.idle = [];
    }
  }

  private poolOf(hop: SmtpHop, security: TransportSecurity): HopPool {
    const key = `${hop.host}:${hop.port}:${hop.implicitTls}:${hop.auth?.user ?? ''}:${security}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = { idle: [], open: 0, waiting: [] };
      this.pools.set(key, pool);
    }
    return pool;
  }

  private async acquire(hop: SmtpHop, security: TransportSecurity): Promise<PooledConnection> {
    const pool = this.poolOf(hop, security);
    for (;;) {
      const idle = pool.idle.pop();
      if (idle) {
        clearTimeout(idle.idleTimer);
        if (!idle.closed) {
          return idle;
        }
        continue;
      }
      if (pool.open < this.config.delivery.connectionsPerRoute) {
        pool.open += 1;
        try {
          return await this.connect(hop, security);
        } catch (error) {
          pool.open -= 1;
          this.wakeOne(pool);
          throw error instanceof SmtpFailure ? error : classifySmtpError(error, hop.host);
        }
      }
      await new Promise<void>((resolve) => pool.waiting.push(resolve));
    }
  }

  private release(hop: SmtpHop, pooled: PooledConnection): void {
    const pool = this.poolOf(hop, pooled.security);
    if (pooled.closed || pooled.sent >= MAX_MESSAGES_PER_CONNECTION) {
      this.discard(hop, pooled);
      return;
    }
    pooled.idleTimer = setTimeout(() => {
      pool.idle = pool.idle.filter((entry) => entry !== pooled);
      this.discard(hop, pooled);
    }, IDLE_CLOSE_MS);
    pooled.idleTimer.unref();
    pool.idle.push(pooled);
    this.wakeOne(pool);
  }

  private discard(hop: SmtpHop, pooled: PooledConnection): void {
    const pool = this.poolOf(hop, pooled.security);
    this.close(pooled);
    pool.open -= 1;
    this.wakeOne(pool);
  }

  private async resetOrDiscard(hop: SmtpHop, pooled: PooledConnection): Promise<void> {
    const ok = await new Promise<boolean>((resolve) =>
      pooled.connection.reset((error) => resolve(!error)),
    );
    if (ok) {
      this.release(hop, pooled);
    } else {
      this.discard(hop, pooled);
    }
  }

  private wakeOne(pool: HopPool): void {
    pool.waiting.shift()?.();
  }

  private close(pooled: PooledConnection): void {
    clearTimeout(pooled.idleTimer);
    if (!pooled.closed) {
      pooled.closed = true;
      pooled.connection.quit();
    }
  }

  private async connect(hop: SmtpHop, security: TransportSecurity): Promise<PooledConnection> {
    const verified = security === 'verified-tls';
    const connection = new SMTPConnection({
      host: hop.host,
      port: hop.port,
      secure: hop.implicitTls,
      requireTLS: verified && !hop.implicitTls,
      opportunisticTLS: !verified,
      name: this.config.delivery.ehloName,
      connectionTimeout: this.config.delivery.connectTimeoutMs,
      greetingTimeout: GREETING_TIMEOUT_MS,
      socketTimeout: SOCKET_TIMEOUT_MS,
      allowInternalNetworkInterfaces: true,
      tls: {
        secureContext: this.contexts[security],
        rejectUnauthorized: verified,
        servername: isIP(hop.servername) ? undefined : hop.servername,
      },
    });
    const pooled: PooledConnection = {
      security,
      connection,
      tlsVersion: '',
      tlsCipher: '',
      sent: 0,
      closed: false,
    };
    connection.on('error', () => {
      pooled.closed = true;
    });
    connection.on('end', () => {
      pooled.closed = true;
    });
    await settleSetup(connection, (done) => connection.connect(done)).catch((error: unknown) => {
      connection.close();
      throw error;
    });
    if (hop.auth) {
      const auth = hop.auth;
      await settleSetup(connection, (done) => connection.login(auth, done)).catch(
        (error: unknown) => {
          connection.close();
          throw error;
        },
      );
    }

    // The library keeps the upgraded socket private; reading it is the only way to record
    // which protocol and cipher protected the session.
    const socket = (connection as unknown as { _socket?: TLSSocket })._socket;
    const tlsVersion = connection.secure && socket ? socket.getProtocol() : null;
    if (!verified && (!socket || !tlsVersion)) {
      return pooled;
    }
    if (!socket || !tlsVersion) {
      connection.close();
      throw new SmtpFailure('tls', `TLS with ${hop.host} was not established`);
    }
    pooled.tlsVersion = tlsVersion;
    pooled.tlsCipher = socket.getCipher().name;
    return pooled;
  }

  private transmit(pooled: PooledConnection, envelope: SmtpEnvelope, raw: Buffer): Promise<string> {
    pooled.sent += 1;
    return new Promise<string>((resolve, reject) => {
      pooled.connection.send(envelope, raw, (error, info) => {
        if (error) {
          reject(error);
        } else if (info.rejected?.length) {
          reject(
            Object.assign(new Error('recipient rejected'), {
              responseCode: 550,
              command: 'RCPT TO',
            }),
          );
        } else {
          resolve(info.response ?? '');
        }
      });
    });
  }
}

/**
 * Runs one setup step (connect, login). nodemailer reports a failure before the session is
 * ready (a refused STARTTLS, an untrusted certificate) only as an 'error' or 'end' event,
 * never through the step's callback, so all three settle the step.
 */
function settleSetup(
  connection: SMTPConnection,
  step: (done: (error?: Error | null) => void) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => finish(error);
    const onEnd = () => finish(new Error('server closed the connection during setup'));
    const finish = (error?: Error | null) => {
      connection.off('error', onError);
      connection.off('end', onEnd);
      if (error) {
        reject(error);
      } else {
        resolve();
      }
    };
    connection.once('error', onError);
    connection.once('end', onEnd);
    step(finish);
  });
}
