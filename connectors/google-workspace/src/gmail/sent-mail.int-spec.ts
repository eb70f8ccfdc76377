import { randomUUID } from 'node:crypto';
import { AuditChainVerifier } from '@sealpost/audit';
import { GatewayReceipts } from '@sealpost/messaging';
import { type FakeGoogle, startFakeGoogle } from '@sealpost/test-peers/google';
import { BYPASS_ACTION } from '../google-workspace-naming';
import { SyncDirectoryUseCase } from '../directory/sync-directory.use-case';
import { GoogleWorkspaceStatusService } from '../status/google-workspace-status.service';
import {
  aConnectedOrganisation,
  type GoogleTestModule,
  someUsers,
  startGoogleTestModule,
  type TestOrganisation,
} from '../testing/google-test-kit';
import { CheckSentMailUseCase } from './check-sent-mail.use-case';
import { MailboxWatchService } from './mailbox-watch.service';

const TOPIC = 'projects/sealpost-test/topics/gmail-sent';

/** Gmail watches and SENT history checks against a loopback Gmail API, on real PostgreSQL. */
describe('Gmail watch and sent-mail audit (loopback Google, real PostgreSQL)', () => {
  let google: FakeGoogle;
  let test: GoogleTestModule;
  let org: TestOrganisation;
  let alice: string;
  let bob: string;

  const mailboxOf = async (address: string) =>
    (
      await test.dataSource.query<
        { id: string; history_id: string | null; full_syncs: number; watch_expires_at: Date }[]
      >(`SELECT * FROM google_mailboxes WHERE organisation_id = $1 AND address = $2`, [
        org.organisationId,
        address,
      ])
    )[0];
  const check = async (address: string) =>
    test.moduleRef
      .get(CheckSentMailUseCase)
      .execute(org.organisationId, (await mailboxOf(address)).id);
  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
  /** What the gateway records when it takes a message (see GatewayReceipts). */
  const aGatewayReceipt = async (messageIdHeader: string) =>
    test.dataSource.query(
      `INSERT INTO gateway_receipts (organisation_id, origin_digest, message_id)
       VALUES ($1, $2, $3)`,
      [
        org.organisationId,
        test.moduleRef.get(GatewayReceipts).digest(messageIdHeader),
        randomUUID(),
      ],
    );
  const bypassRecords = () =>
    test.dataSource.query<{ target_id: string; details: Record<string, unknown> }[]>(
      `SELECT target_id, details FROM audit_records
        WHERE organisation_id = $1 AND action = $2 ORDER BY sequence`,
      [org.organisationId, BYPASS_ACTION],
    );

  beforeAll(async () => {
    google = await startFakeGoogle();
    test = await startGoogleTestModule(google);
    org = await aConnectedOrganisation(test, google, { pubsubTopic: TOPIC });
    [alice, bob] = someUsers(google, org.domain, 2);
    await test.moduleRef.get(SyncDirectoryUseCase).execute(org.organisationId);
  });

  afterAll(async () => {
    await test?.close();
    await google?.close();
  });

  it('watches each SENT label as its user, starting at the watch’s history id', async () => {
    const renewal = await test.moduleRef.get(MailboxWatchService).renewDue(org.organisationId);

    expect(renewal).toEqual({ renewed: 2, failed: 0 });
    const watches = google.requests.filter((r) => r.path.endsWith('/watch'));
    expect(watches.map((r) => r.path).sort()).toEqual([
      '/gmail/v1/users/me/watch',
      '/gmail/v1/users/me/watch',
    ]);
    expect(watches.map((r) => r.subject).sort()).toEqual([alice, bob].sort());
    expect(JSON.parse(watches[0].body)).toEqual({
      topicName: TOPIC,
      labelIds: ['SENT'],
      labelFilterBehavior: 'include',
    });
    const grant = google.grants.find((g) => g.sub === alice)!;
    expect(grant.scope).toBe('https://www.googleapis.com/auth/gmail.metadata');
    expect(grant.aud).toBe('https://oauth2.googleapis.com/token');
    const mailbox = await mailboxOf(alice);
    expect(mailbox.history_id).toBe(google.mailbox(alice).historyId);
    expect(mailbox.watch_expires_at.getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600e3);

    const again = await test.moduleRef.get(MailboxWatchService).renewDue(org.organisationId);
    expect(again).toEqual({ renewed: 0, failed: 0 });
  });

  it('audits sent mail without the gateway stamp once, reading history page by page', async () => {
    const start = (await mailboxOf(alice)).history_id;
    const unstamped = google.sendMail(alice, { stamped: false, sentAt: minutesAgo(20) });
    for (let index = 0; index < 505; index += 1) {
      google.sendMail(alice, { stamped: true });
    }
    const before = google.requests.length;

    const result = await check(alice);

    expect(result).toEqual({
      status: 'checked',
      checked: 506,
      bypassed: 1,
      undecided: 0,
      fullSync: false,
      decideAt: null,
    });
    const seen = google.requests.slice(before);
    const history = seen.filter((r) => r.path === '/gmail/v1/users/me/history');
    expect(history.map((r) => r.query.get('pageToken'))).toEqual([null, '500']);
    expect(history[0].query.get('startHistoryId')).toBe(start);
    expect(history[0].query.getAll('historyTypes')).toEqual(['messageAdded']);
    expect(history[0].query.get('labelId')).toBe('SENT');
    const get = seen.find((r) => r.path === `/gmail/v1/users/me/messages/${unstamped}`)!;
    expect(get.query.get('format')).toBe('metadata');
    expect(get.query.getAll('metadataHeaders')).toEqual(['X-Sealpost-Gateway', 'Message-ID']);
    expect(get.query.get('fields')).toBe('id,internalDate,payload/headers');
    expect(get.subject).toBe(alice);

    const records = await bypassRecords();
    expect(records.map((r) => r.target_id)).toEqual([unstamped]);
    expect(records[0].details).toMatchObject({ fullSync: false });
    expect((await mailboxOf(alice)).history_id).toBe(google.mailbox(alice).historyId);

    const twice = await check(alice);
    expect(twice).toMatchObject({ status: 'checked', checked: 0, bypassed: 0, undecided: 0 });
    expect(await bypassRecords()).toHaveLength(1);
  });

  it('runs a bounded full sync when Gmail answers 404 for a history id too old', async () => {
    const old = google.sendMail(bob, {
      stamped: false,
      sentAt: new Date(Date.now() - 9 * 86400e3),
    });
    google.forgetHistory(bob);
    const recent = google.sendMail(bob, { stamped: false, sentAt: minutesAgo(30) });
    const before = google.requests.length;

    const result = await check(bob);

    expect(result).toMatchObject({ status: 'checked', checked: 1, bypassed: 1, fullSync: true });
    const seen = google.requests.slice(before);
    expect(seen.map((r) => `${r.method} ${r.path}`).slice(0, 3)).toEqual([
      'GET /gmail/v1/users/me/history',
      'GET /gmail/v1/users/me/profile',
      'GET /gmail/v1/users/me/messages',
    ]);
    const list = seen.find((r) => r.path === '/gmail/v1/users/me/messages')!;
    expect(list.query.getAll('labelIds')).toEqual(['SENT']);
    expect(list.query.get('q')).toBeNull();
    const targets = (await bypassRecords()).map((r) => r.target_id);
    expect(targets).toContain(recent);
    expect(targets).not.toContain(old);
    const mailbox = await mailboxOf(bob);
    expect(mailbox).toMatchObject({ full_syncs: 1, history_id: google.mailbox(bob).historyId });
  });

  it('takes an unstamped Sent copy as gateway mail when its Message-ID has a receipt', async () => {
    const messageId = `<${randomUUID()}@mail.gmail.com>`;
    const routed = google.sendMail(alice, { stamped: false, sentAt: minutesAgo(20), messageId });
    await aGatewayReceipt(messageId);

    const result = await check(alice);

    expect(result).toMatchObject({ status: 'checked', checked: 1, bypassed: 0, undecided: 0 });
    expect((await bypassRecords()).map((r) => r.target_id)).not.toContain(routed);
  });

  it('waits for the gateway’s receipt of fresh mail, then judges it', async () => {
    const routedId = `<${randomUUID()}@mail.gmail.com>`;
    const routed = google.sendMail(alice, { stamped: false, messageId: routedId });
    const bypassing = google.sendMail(alice, { stamped: false });
    const before = Date.now();

    const first = await check(alice);

    expect(first).toMatchObject({ status: 'checked', checked: 2, bypassed: 0, undecided: 2 });
    if (first.status !== 'checked') {
      throw new Error('not checked');
    }
    expect(first.decideAt!.getTime()).toBeGreaterThanOrEqual(before + 14 * 60_000);
    expect(
      (await test.moduleRef.get(GoogleWorkspaceStatusService).status(org.organisationId)).counts
        .undecidedSentMessages,
    ).toBe(2);

    // A quarter of an hour later: the gateway took one of them, never the other.
    await aGatewayReceipt(routedId);
    for (const id of [routed, bypassing]) {
      google.setSentAt(alice, id, minutesAgo(16));
    }
    await test.dataSource.query(
      `UPDATE google_sent_checks SET decide_after = now() - interval '1 minute'
        WHERE through_gateway IS NULL`,
    );
    const later = await check(alice);

    expect(later).toMatchObject({ checked: 2, bypassed: 1, undecided: 0, decideAt: null });
    const targets = (await bypassRecords()).map((r) => r.target_id);
    expect(targets).toContain(bypassing);
    expect(targets).not.toContain(routed);
  });

  it('keeps the audit chain whole and logs no address, subject or snippet', async () => {
    const verification = await test.moduleRef.get(AuditChainVerifier).verify(org.organisationId);
    const logged = test.logs.lines.join('\n');
    const status = await test.moduleRef
      .get(GoogleWorkspaceStatusService)
      .status(org.organisationId);

    expect(verification).toMatchObject({ ok: true });
    for (const secret of [alice, bob, 'lab results', 'Lab results', 'patient@patients.example']) {
      expect(logged).not.toContain(secret);
    }
    expect(status).toMatchObject({
      health: 'ok',
      counts: {
        users: 2,
        mailboxes: 2,
        watchedMailboxes: 2,
        bypassedLast7Days: 3,
        undecidedSentMessages: 0,
      },
    });
    expect(new Date(status.nextWatchRenewalAt!).getTime()).toBeGreaterThan(Date.now());
  });
});
