import { Test, type TestingModule } from '@nestjs/testing';
import { type AuthContext, CoreModule, OrganisationsService, SealpostError } from '@sealpost/core';
import { createTestDatabase, type TestDatabase } from '@sealpost/core/testing';
import { simpleParser } from 'mailparser';
import { DnsResolverPort, type MxRecord } from '../delivery/dns-resolver.port';
import { MESSAGING_ENTITIES } from '../index';
import { AcceptMessageUseCase } from '../messages/accept-message.use-case';
import { MessagingModule } from '../messaging.module';
import { ProtectionModule } from '../protection.module';
import {
  aCaller,
  anAddress,
  aSendMessageCommand,
  deleteRedisKeys,
  testConfig,
} from '../testing/messaging-test-kit';
import { type PortalError, PortalErrorCode } from './portal-error';
import { PortalLinkIssuer } from './portal-link-issuer';
import { PortalModule } from './portal.module';
import { PortalSessions } from './portal-sessions.service';
import { SetPortalPassphraseUseCase } from './set-portal-passphrase.use-case';
import { VerifyPortalPassphraseUseCase } from './verify-portal-passphrase.use-case';

class NoDns extends DnsResolverPort {
  resolveMx(domain: string): Promise<MxRecord[]> {
    return Promise.reject(new Error(`unexpected MX lookup for ${domain}`));
  }
}

const LINK = /\/portal\/([A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22})/;
const PASSPHRASE = 'blue heron at noon';

describe('portal passphrase (real PostgreSQL and Redis)', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let caller: AuthContext;
  let redis: { url: string; prefix: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = testConfig(database.url);
    redis = { url: config.redis.url, prefix: config.redis.queuePrefix };
    moduleRef = await Test.createTestingModule({
      imports: [
        CoreModule.forRoot(config, MESSAGING_ENTITIES),
        MessagingModule,
        ProtectionModule,
        PortalModule,
      ],
    })
      .overrideProvider(DnsResolverPort)
      .useClass(NoDns)
      .compile();
    caller = await aCaller(moduleRef.get(OrganisationsService));
  });

  afterAll(async () => {
    await moduleRef?.close();
    await database?.drop();
    await deleteRedisKeys(redis.url, redis.prefix);
  });

  /** A message to one portal recipient, not yet delivered. */
  async function accepted() {
    const address = anAddress('portal.test');
    const command = aSendMessageCommand({ to: [address] });
    const { message } = await moduleRef.get(AcceptMessageUseCase).execute(caller, command);
    return { messageId: message.id, recipientId: message.recipients[0].id, address, command };
  }

  /** What delivery does: issue the link and compose the notice; returns the link. */
  async function deliver(copy: Awaited<ReturnType<typeof accepted>>): Promise<string> {
    const notice = await moduleRef.get(PortalLinkIssuer).composeNotice({
      organisationId: caller.organisationId,
      messageId: copy.messageId,
      recipientId: copy.recipientId,
      address: copy.address,
      from: copy.command.from,
    });
    return LINK.exec((await simpleParser(notice)).text ?? '')?.[1] ?? '';
  }

  const verify = (link: string, passphrase: string) =>
    moduleRef.get(VerifyPortalPassphraseUseCase).execute(link, passphrase, '10.9.9.9');

  async function errorOf(promise: Promise<unknown>): Promise<unknown> {
    return promise.then(
      () => new Error('expected a refusal'),
      (error: unknown) => error,
    );
  }

  it('opens the portal with a passphrase set before delivery', async () => {
    const copy = await accepted();
    await moduleRef
      .get(SetPortalPassphraseUseCase)
      .execute(caller, copy.messageId, copy.recipientId, PASSPHRASE);
    const link = await deliver(copy);

    const session = await verify(link, PASSPHRASE);
    const opened = await moduleRef.get(PortalSessions).open(link, session);

    expect(opened.link.recipientId).toBe(copy.recipientId);
  });

  it('counts wrong passphrases toward the same lockout as codes', async () => {
    const copy = await accepted();
    const link = await deliver(copy);
    await moduleRef
      .get(SetPortalPassphraseUseCase)
      .execute(caller, copy.messageId, copy.recipientId, PASSPHRASE);

    const refusals: unknown[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      refusals.push(await errorOf(verify(link, 'not the passphrase')));
    }
    const afterLock = await errorOf(verify(link, PASSPHRASE));

    const codes = refusals.map((error) => (error as PortalError).code);
    expect(codes).toEqual([
      ...Array(4).fill(PortalErrorCode.PassphraseWrong),
      PortalErrorCode.LinkLocked,
    ]);
    expect((refusals[0] as PortalError).details).toEqual({ attemptsLeft: 4, hasPassphrase: true });
    expect((afterLock as PortalError).code).toBe(PortalErrorCode.LinkLocked);
  });

  it('refuses a passphrase on a link that has none', async () => {
    const link = await deliver(await accepted());

    const error = await errorOf(verify(link, PASSPHRASE));

    expect((error as PortalError).code).toBe(PortalErrorCode.NotFound);
  });

  it('lets only the own organisation set it, and refuses a short one', async () => {
    const copy = await accepted();
    const other = await aCaller(moduleRef.get(OrganisationsService));
    const set = moduleRef.get(SetPortalPassphraseUseCase);

    const foreign = await errorOf(set.execute(other, copy.messageId, copy.recipientId, PASSPHRASE));
    const short = await errorOf(set.execute(caller, copy.messageId, copy.recipientId, 'short'));

    expect(foreign).toBeInstanceOf(SealpostError);
    expect((foreign as SealpostError).code).toBe('not_found');
    expect((short as SealpostError).code).toBe('validation_failed');
    expect((short as SealpostError).message).not.toContain('short');
  });
});
