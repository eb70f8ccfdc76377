import { randomBytes } from 'node:crypto';
import { type TestingModule } from '@nestjs/testing';
import { type AuthContext, OrganisationsService, SealpostError } from '@sealpost/core';
import { createTestDatabase, type TestDatabase } from '@sealpost/core/testing';
import { Clock } from '@sealpost/encryption';
import { SmtpSink } from '@sealpost/test-peers';
import { simpleParser } from 'mailparser';
import { DataSource } from 'typeorm';
import { DeliverBatchUseCase } from '../delivery/deliver-batch.use-case';
import { AcceptMessageUseCase } from '../messages/accept-message.use-case';
import {
  aCaller,
  anAddress,
  aSendMessageCommand,
  deleteRedisKeys,
  deliveryJobFor,
  testConfig,
} from '../testing/messaging-test-kit';
import { deliveryTestModule } from '../testing/delivery-test-module';
import { PortalError, PortalErrorCode } from './portal-error';
import { PortalModule } from './portal.module';
import { PortalSessions } from './portal-sessions.service';
import { ReadPortalMessageUseCase } from './read-portal-message.use-case';
import { ReplyFromPortalUseCase } from './reply-from-portal.use-case';
import { RequestPortalCodeUseCase } from './request-portal-code.use-case';
import { RevokePortalLinkUseCase } from './revoke-portal-link.use-case';
import { VerifyPortalCodeUseCase } from './verify-portal-code.use-case';

/** Real time plus an offset the test moves, so expiry is tested without waiting. */
class MovableClock extends Clock {
  offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advanceMinutes(minutes: number): void {
    this.offsetMs += minutes * 60_000;
  }
}

const IP_LIMIT = 12;
const LINK = /\/portal\/([A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22})/;

async function portalErrorOf(promise: Promise<unknown>): Promise<PortalError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PortalError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a PortalError');
}

describe('secure portal (real PostgreSQL, Redis and SMTP sink)', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let moduleRef: TestingModule;
  let dataSource: DataSource;
  let clock: MovableClock;
  let caller: AuthContext;
  let queuePrefix: string;
  let redisUrl: string;

  beforeAll(async () => {
    // No STARTTLS: the policy's TLS step fails, so the default order ends at the portal.
    sink = await SmtpSink.start();
    database = await createTestDatabase();
    const config = testConfig(database.url, {
      SEALPOST_TRANSPORT_MAP: ['portal.test', 'sender.test']
        .map((domain) => `${domain}=127.0.0.1:${sink.port}`)
        .join(','),
      SEALPOST_PUBLIC_URL: 'https://portal.sealpost.test',
      SEALPOST_PORTAL_IP_LIMIT: String(IP_LIMIT),
    });
    queuePrefix = config.redis.queuePrefix;
    redisUrl = config.redis.url;
    clock = new MovableClock();
    moduleRef = await deliveryTestModule(config, {
      imports: [PortalModule],
    })
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    dataSource = moduleRef.get(DataSource);
    caller = await aCaller(moduleRef.get(OrganisationsService));
  });

  afterAll(async () => {
    await moduleRef?.close();
    await sink?.close();
    await database?.drop();
    await deleteRedisKeys(redisUrl, queuePrefix);
  });

  beforeEach(() => {
    clock.offsetMs = 0;
  });

  const anIp = () => `10.${[1, 2, 3].map(() => randomBytes(1)[0]).join('.')}`;

  /** Sends one message to a new portal.test address and delivers it; returns what arrived. */
  async function deliverToPortal(overrides = {}) {
    const address = anAddress('portal.test');
    const command = aSendMessageCommand({
      from: 'Dr Ada Lovelace <ada@sender.test>',
      to: [address],
      attachments: [
        {
          filename: `biopsy-${randomBytes(3).toString('hex')}.pdf`,
          contentType: 'application/pdf',
          content: randomBytes(300).toString('base64'),
        },
      ],
      ...overrides,
    });
    const { message } = await moduleRef.get(AcceptMessageUseCase).execute(caller, command);
    const recipientId = message.recipients[0].id;
    const before = sink.messages.length;
    await moduleRef
      .get(DeliverBatchUseCase)
      .execute([await deliveryJobFor(dataSource, recipientId)]);
    await sink.waitFor(before + 1, 5000);
    const notice = sink.messages[before];
    const parsed = await simpleParser(notice.raw);
    const link = LINK.exec(parsed.text ?? '')?.[1] ?? '';
    return { address, command, messageId: message.id, recipientId, notice, parsed, link };
  }

  async function requestCode(link: string, ip = anIp()): Promise<string> {
    const before = sink.messages.length;
    await moduleRef.get(RequestPortalCodeUseCase).execute(link, ip);
    await sink.waitFor(before + 1, 5000);
    const parsed = await simpleParser(sink.messages[before].raw);
    return /\b(\d{8})\b/.exec(parsed.text ?? '')?.[1] ?? '';
  }

  async function eventTypes(messageId: string): Promise<string[]> {
    const rows = await dataSource.query<{ type: string }[]>(
      'SELECT type FROM message_events WHERE message_id = $1 ORDER BY id',
      [messageId],
    );
    return rows.map((row) => row.type);
  }

  const verify = (link: string, code: string, ip = anIp()) =>
    moduleRef.get(VerifyPortalCodeUseCase).execute(link, code, ip);
  const open = (link: string, session: string) => moduleRef.get(PortalSessions).open(link, session);

  it('sends a portal recipient a notice without PHI and records delivered by portal', async () => {
    const { command, notice, parsed, link, recipientId, address } = await deliverToPortal();

    expect(notice.to).toEqual([address]);
    expect(link).not.toBe('');
    expect(parsed.text).toContain(`https://portal.sealpost.test/portal/${link}`);
    expect(parsed.text).toContain('Dr Ada Lovelace');
    expect(parsed.text).toMatch(/works until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    const raw = notice.raw.toString('utf8');
    for (const phi of [command.subject, command.text ?? '', command.attachments[0].filename]) {
      expect(raw).not.toContain(phi);
    }
    expect(parsed.attachments).toHaveLength(0);
    const [row] = await dataSource.query<{ status: string; method: string }[]>(
      'SELECT status, method FROM message_recipients WHERE id = $1',
      [recipientId],
    );
    expect(row).toEqual({ status: 'delivered', method: 'portal' });
  });

  it('emails a code without PHI; the code opens the message once', async () => {
    const { link, command, messageId } = await deliverToPortal();

    const before = sink.messages.length;
    const code = await requestCode(link);
    const codeMail = sink.messages[before].raw.toString('utf8');
    const session = await verify(link, code);
    const opened = await open(link, session);
    const message = await moduleRef.get(ReadPortalMessageUseCase).view(opened.link);

    expect(code).toMatch(/^\d{8}$/);
    expect(codeMail).not.toContain(command.subject);
    expect(codeMail).not.toContain(command.text);
    expect(message.subject).toBe(command.subject);
    expect(message.text).toBe(command.text);
    expect((await portalErrorOf(verify(link, code))).code).toBe(PortalErrorCode.CodeExpired);
    expect(await eventTypes(messageId)).toEqual(
      expect.arrayContaining(['portal.code_sent', 'portal.verified', 'portal.viewed']),
    );
  });

  it('locks the link after five wrong codes, and a new code unlocks it', async () => {
    const { link, messageId } = await deliverToPortal();
    const code = await requestCode(link);
    const wrong = code === '00000000' ? '11111111' : '00000000';

    const refusals = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      refusals.push(await portalErrorOf(verify(link, wrong)));
    }
    const withRightCode = await portalErrorOf(verify(link, code));
    const fresh = await requestCode(link);
    const session = await verify(link, fresh);

    expect(refusals.map((error) => [error.code, error.details.attemptsLeft])).toEqual([
      [PortalErrorCode.CodeWrong, 4],
      [PortalErrorCode.CodeWrong, 3],
      [PortalErrorCode.CodeWrong, 2],
      [PortalErrorCode.CodeWrong, 1],
      [PortalErrorCode.LinkLocked, undefined],
    ]);
    expect(withRightCode.code).toBe(PortalErrorCode.LinkLocked);
    expect((await open(link, session)).link.messageId).toBe(messageId);
    expect(await eventTypes(messageId)).toContain('portal.locked');
  });

  it('ends a session after 15 minutes idle, but not while it is used', async () => {
    const { link } = await deliverToPortal();
    const session = await verify(link, await requestCode(link));

    clock.advanceMinutes(14);
    await open(link, session);
    clock.advanceMinutes(14);
    await open(link, session);
    clock.advanceMinutes(16);
    const ended = await portalErrorOf(open(link, session));
    clock.advanceMinutes(-16);
    const stillEnded = await portalErrorOf(open(link, session));

    expect(ended.code).toBe(PortalErrorCode.SessionRequired);
    expect(stillEnded.code).toBe(PortalErrorCode.SessionRequired);
  });

  it('shows an HTML-only message as text, never as markup', async () => {
    const html = '<p>Take <b>two</b> tablets</p><script>alert(7)</script><p>Call us</p>';
    const { link } = await deliverToPortal({ text: undefined, html });
    const session = await open(link, await verify(link, await requestCode(link)));

    const { text } = await moduleRef.get(ReadPortalMessageUseCase).view(session.link);

    expect(text).toBe('Take two tablets\n\nCall us');
  });

  it('says so when the code cannot be sent, and the link stays usable', async () => {
    const { link, recipientId } = await deliverToPortal();
    // Setup: the recipient's domain now has no route (DNS refuses every lookup here).
    await dataSource.query(`UPDATE message_recipients SET domain = 'unrouted.test' WHERE id = $1`, [
      recipientId,
    ]);

    const error = await portalErrorOf(
      moduleRef.get(RequestPortalCodeUseCase).execute(link, anIp()),
    );

    expect(error.code).toBe(PortalErrorCode.CodeNotSent);
    expect((await moduleRef.get(PortalSessions).resolveLink(link)).lockedAt).toBeNull();
  });

  it('refuses a link after it expires (30 days by default)', async () => {
    const { link } = await deliverToPortal();

    clock.advanceMinutes(29 * 24 * 60);
    await moduleRef.get(PortalSessions).resolveLink(link);
    clock.advanceMinutes(2 * 24 * 60);
    const error = await portalErrorOf(moduleRef.get(PortalSessions).resolveLink(link));

    expect(error.code).toBe(PortalErrorCode.LinkExpired);
  });

  it('refuses forged and altered links before looking them up', async () => {
    const { link } = await deliverToPortal();
    const [token, signature] = link.split('.');
    const flipped = (value: string) => (value[0] === 'A' ? 'B' : 'A') + value.slice(1);
    const resolve = (presented: string) =>
      portalErrorOf(moduleRef.get(PortalSessions).resolveLink(presented));

    const errors = await Promise.all([
      resolve(`${flipped(token)}.${signature}`),
      resolve(`${token}.${flipped(signature)}`),
      resolve(`${randomBytes(32).toString('base64url')}.${signature}`),
      resolve('not-a-link'),
    ]);

    expect(errors.map((error) => error.code)).toEqual(Array(4).fill(PortalErrorCode.LinkUnknown));
  });

  it('limits code requests and entries per IP address', async () => {
    const { link } = await deliverToPortal();
    const ip = anIp();
    await requestCode(link, ip);

    const answers = [];
    for (let attempt = 1; attempt < IP_LIMIT + 2; attempt += 1) {
      answers.push(await portalErrorOf(verify(link, '12345678', ip)).catch(() => null));
      if (attempt % 4 === 0) {
        await requestCode(link, anIp());
      }
    }
    const fromElsewhere = await portalErrorOf(verify(link, '12345678', anIp()));

    const codes = answers.map((error) => error?.code);
    expect(codes.slice(0, IP_LIMIT - 1)).not.toContain(PortalErrorCode.TooManyAttempts);
    expect(codes.slice(IP_LIMIT - 1)).toEqual([
      PortalErrorCode.TooManyAttempts,
      PortalErrorCode.TooManyAttempts,
    ]);
    expect(answers.at(-1)?.details.retryAfterSeconds).toBeGreaterThan(0);
    expect(fromElsewhere.code).not.toBe(PortalErrorCode.TooManyAttempts);
  });

  it('records downloads and turns a reply into a protected message to the sender', async () => {
    const { link, command, messageId, address } = await deliverToPortal();
    const session = await open(link, await verify(link, await requestCode(link)));
    const reader = moduleRef.get(ReadPortalMessageUseCase);

    const file = await reader.download(session.link, 0);
    const missing = await portalErrorOf(reader.download(session.link, 1));
    const replyId = (await moduleRef
      .get(ReplyFromPortalUseCase)
      .execute(session.link, 'Thank you')) as string;

    expect(file.content.toString('base64')).toBe(command.attachments[0].content);
    expect(missing.code).toBe(PortalErrorCode.NotFound);
    const [reply] = await dataSource.query<{ organisation_id: string; tags: string[] }[]>(
      'SELECT organisation_id, tags FROM messages WHERE id = $1',
      [replyId],
    );
    const [to] = await dataSource.query<{ address: string }[]>(
      'SELECT address FROM message_recipients WHERE message_id = $1',
      [replyId],
    );
    const content = await reader.load({ ...session.link, messageId: replyId });
    expect(reply).toEqual({ organisation_id: caller.organisationId, tags: ['portal-reply'] });
    expect(to.address).toBe('ada@sender.test');
    expect(content.content.headers).toEqual({ 'X-Sealpost-Encrypt': '1' });
    expect(content.content.replyTo).toBe(address);
    expect(content.content.text).toContain('Thank you');
    expect(await eventTypes(messageId)).toEqual(
      expect.arrayContaining(['portal.downloaded', 'portal.replied']),
    );
  });

  it('revokes a link for its own organisation only; revoked links and sessions stop', async () => {
    const { link, messageId, recipientId } = await deliverToPortal();
    const session = await verify(link, await requestCode(link));
    const other = await aCaller(moduleRef.get(OrganisationsService));
    const revoke = moduleRef.get(RevokePortalLinkUseCase);

    const foreign = await revoke.execute(other, messageId, recipientId).catch((e: unknown) => e);
    await open(link, session);
    const revoked = await revoke.execute(caller, messageId, recipientId);
    const again = await revoke.execute(caller, messageId, recipientId);

    expect(foreign).toBeInstanceOf(SealpostError);
    expect((foreign as SealpostError).code).toBe('not_found');
    expect(again.revokedAt).toBe(revoked.revokedAt);
    expect((await portalErrorOf(open(link, session))).code).toBe(PortalErrorCode.LinkRevoked);
    expect((await portalErrorOf(requestCode(link))).code).toBe(PortalErrorCode.LinkRevoked);
    expect(await eventTypes(messageId)).toContain('portal.revoked');
  });
});
