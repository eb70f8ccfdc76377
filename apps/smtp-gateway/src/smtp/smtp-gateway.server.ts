import { type AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { safeErrorFields } from '@sealpost/core';
import {
  GatewayAccessService,
  InboundBounceHandler,
  parseMailbox,
  receivedField,
} from '@sealpost/messaging';
import {
  SMTPServer,
  type SMTPServerAddress,
  type SMTPServerAuthentication,
  type SMTPServerDataStream,
  type SMTPServerSession,
} from 'smtp-server';
import { GATEWAY_CONFIG } from '../config/gateway-config.token';
import { type GatewayConfig } from '../config/gateway-config';
import { AuthThrottle } from './auth-throttle';
import { MessageIntake } from './message-intake';
import { SenderAccess, type TransactionAccess } from './sender-access';
import { SmtpRefusal } from './smtp-refusal';

interface SessionState {
  /** Set by AUTH. */
  organisationId?: string;
  /** Set by MAIL FROM, for the transaction in progress. */
  access?: TransactionAccess;
}

type Done = (error?: Error | null) => void;
type DataDone = (error?: Error | null, reply?: string) => void;

/**
 * The SMTP front of the gateway: STARTTLS, AUTH only over TLS, who may send (SenderAccess),
 * recipient checks and limits, then MessageIntake for the message itself. Holds no state but
 * its open sessions, so any number of gateway processes can run side by side.
 */
@Injectable()
export class SmtpGatewayServer implements OnApplicationShutdown {
  private readonly logger = new Logger('SmtpGateway');
  private readonly sessions = new Map<string, SessionState>();
  private readonly server: SMTPServer;
  private readonly authThrottle = new AuthThrottle();

  constructor(
    private readonly credentials: GatewayAccessService,
    private readonly senders: SenderAccess,
    private readonly intake: MessageIntake,
    private readonly bounces: InboundBounceHandler,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.server = new SMTPServer({
      name: config.name,
      banner: 'Sealpost SMTP gateway',
      secure: false,
      key: config.tls.keyPem,
      cert: config.tls.certPem,
      minVersion: 'TLSv1.2',
      size: config.maxMessageBytes,
      maxClients: config.maxClients,
      authMethods: ['PLAIN', 'LOGIN'],
      authOptional: true,
      allowInsecureAuth: false,
      // Our replies carry their own precise enhanced codes (see SmtpRefusal).
      hideENHANCEDSTATUSCODES: true,
      // DSN parameters would promise notifications this gateway does not generate.
      hideDSN: true,
      logger: false,
      // Only the listed balancers may name the client; from anyone else a PROXY line is
      // just a bad command, so no client can pass itself off as a sender range. (smtp-server
      // takes a list of trusted peers; its published types still say boolean.)
      useProxy: (config.proxyFrom.length ? config.proxyFrom : false) as boolean,
      onAuth: (auth, session, done) => void this.onAuth(auth, session, done),
      onMailFrom: (address, session, done) => void this.onMailFrom(address, session, done),
      onRcptTo: (address, session, done) => this.onRcptTo(address, session, done),
      onData: (stream, session, done) => this.onData(stream, session, done),
      onClose: (session) => this.sessions.delete(session.id),
    });
    this.server.on('error', (error) =>
      this.logger.warn({ err: safeErrorFields(error) }, 'gateway connection error'),
    );
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(this.config.port, this.config.host, () => resolve());
    });
    const { port } = this.server.server.address() as AddressInfo;
    this.logger.log(
      { port, host: this.config.host, tls: this.config.tls.source },
      'gateway listening',
    );
    return port;
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private state(session: SMTPServerSession): SessionState {
    let state = this.sessions.get(session.id);
    if (!state) {
      state = {};
      this.sessions.set(session.id, state);
    }
    return state;
  }

  private async onAuth(
    auth: SMTPServerAuthentication,
    session: SMTPServerSession,
    done: (error: Error | null | undefined, response?: { user?: string }) => void,
  ): Promise<void> {
    const address = session.remoteAddress;
    if (this.authThrottle.blocked(address)) {
      this.refused(session, new SmtpRefusal('auth_throttled'));
      done(new SmtpRefusal('auth_throttled'));
      return;
    }
    try {
      const verified = await this.credentials.verifyCredential(
        auth.username ?? '',
        auth.password ?? '',
      );
      if (!verified) {
        this.authThrottle.failed(address);
        this.refused(session, new SmtpRefusal('auth_failed'));
        done(new SmtpRefusal('auth_failed'));
        return;
      }
      this.authThrottle.succeeded(address);
      this.state(session).organisationId = verified.organisationId;
      done(null, { user: verified.credentialId });
    } catch (error) {
      this.logger.error({ sessionId: session.id, err: safeErrorFields(error) }, 'gateway auth');
      done(new SmtpRefusal('auth_unavailable'));
    }
  }

  private async onMailFrom(
    address: SMTPServerAddress,
    session: SMTPServerSession,
    done: Done,
  ): Promise<void> {
    const state = this.state(session);
    state.access = undefined;
    try {
      if (this.config.requireTls && !session.secure && address.address !== '') {
        throw new SmtpRefusal('tls_required');
      }
      state.access = await this.senders.decide({
        authenticatedOrganisationId: state.organisationId,
        remoteAddress: session.remoteAddress,
        mailFrom: address.address,
      });
      done();
    } catch (error) {
      done(this.refusal(session, error));
    }
  }

  private onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, done: Done): void {
    const access = this.state(session).access;
    const accepted = session.envelope.rcptTo;
    const bounce = this.bounces.accepts(address.address);
    const refusal = (): SmtpRefusal | null => {
      if (!bounce && access?.kind !== 'organisation') {
        return new SmtpRefusal('relay_denied');
      }
      if (!parseMailbox(address.address)) {
        return new SmtpRefusal('recipient_invalid');
      }
      if (accepted.length && accepted.some((r) => this.bounces.accepts(r.address)) !== bounce) {
        return new SmtpRefusal('mixed_transaction');
      }
      if (accepted.length >= this.config.maxRecipients) {
        return new SmtpRefusal('too_many_recipients');
      }
      return null;
    };
    const refused = refusal();
    done(refused ? this.refusal(session, refused) : null);
  }

  private onData(stream: SMTPServerDataStream, session: SMTPServerSession, done: DataDone): void {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      // Over the limit: the server replies 552 itself; nothing may be stored.
      if (stream.sizeExceeded) {
        this.refused(session, new SmtpRefusal('too_big'));
        done(new SmtpRefusal('too_big'));
        return;
      }
      void this.store(Buffer.concat(chunks), session, done);
    });
  }

  private async store(raw: Buffer, session: SMTPServerSession, done: DataDone): Promise<void> {
    const access = this.state(session).access;
    if (!access) {
      done(this.refusal(session, new SmtpRefusal('relay_denied')));
      return;
    }
    const envelope = {
      mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
    };
    try {
      const received = receivedField({
        heloName: session.hostNameAppearsAs,
        clientHostname: session.clientHostname,
        remoteAddress: session.remoteAddress,
        by: this.config.name,
        protocol: session.transmissionType,
        id: session.id,
        at: new Date(),
      });
      const { reply } = await this.intake.take(raw, envelope, access, session.id, received);
      if (this.config.holdReplyAfterAccept) {
        // Test hook: the message is durable and the client still waits, as in a crash
        // between commit and reply. The test kills the process here.
        this.logger.warn({ sessionId: session.id }, 'gateway holding reply (test hook)');
        return;
      }
      done(null, reply);
    } catch (error) {
      done(this.refusal(session, error));
    }
  }

  /** The reply for a failure; unexpected errors become a temporary failure. */
  private refusal(session: SMTPServerSession, error: unknown): Error {
    if (error instanceof SmtpRefusal) {
      this.refused(session, error);
      return error;
    }
    this.logger.error({ sessionId: session.id, err: safeErrorFields(error) }, 'gateway failure');
    return new SmtpRefusal('storage_unavailable');
  }

  private refused(session: SMTPServerSession, refusal: SmtpRefusal): void {
    this.logger.log(
      { sessionId: session.id, code: refusal.responseCode, reason: refusal.reason },
      'gateway refused',
    );
  }
}
