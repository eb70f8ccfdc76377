import { randomBytes, randomUUID } from 'node:crypto';
import { OrganisationsService } from '@sealpost/core';
import { type FakeGoogle, startFakeGoogle } from '@sealpost/test-peers/google';
import { GoogleWorkspaceError } from '../google-workspace-error';
import { GoogleWorkspaceStatusService } from '../status/google-workspace-status.service';
import {
  aConnectedOrganisation,
  type GoogleTestModule,
  someUsers,
  startGoogleTestModule,
  type TestOrganisation,
} from '../testing/google-test-kit';
import { GoogleSenderGroups } from './google-sender-groups';
import { SyncDirectoryUseCase } from './sync-directory.use-case';

/** Directory sync against a loopback Admin SDK and token endpoint, on real PostgreSQL. */
describe('Google directory sync (loopback Google, real PostgreSQL)', () => {
  let google: FakeGoogle;
  let test: GoogleTestModule;
  let org: TestOrganisation;
  let addresses: string[];

  const sync = () => test.moduleRef.get(SyncDirectoryUseCase).execute(org.organisationId);
  const status = (organisationId = org.organisationId) =>
    test.moduleRef.get(GoogleWorkspaceStatusService).status(organisationId);
  const requestsTo = (path: string) => google.requests.filter((r) => r.path === path);

  beforeAll(async () => {
    google = await startFakeGoogle();
    test = await startGoogleTestModule(google);
    org = await aConnectedOrganisation(test, google);
    addresses = someUsers(google, org.domain, 1100);
    for (let index = 0; index < 201; index += 1) {
      google.groups.push({
        id: `0${randomBytes(6).toString('hex')}`,
        email: `team${index}@${org.domain}`,
        name: `Team ${index}`,
        members: [
          { id: google.users[index].id, email: addresses[index], role: 'MEMBER', type: 'USER' },
        ],
      });
    }
    // One large group, so its members come in two pages.
    google.groups[0].members = google.users.slice(0, 250).map((user) => ({
      id: user.id,
      email: user.primaryEmail,
      role: 'MEMBER',
      type: 'USER',
    }));
  });

  afterAll(async () => {
    await test?.close();
    await google?.close();
  });

  it('reads every page of users, groups and members as the admin and stores them', async () => {
    const result = await sync();

    expect(result).toEqual({
      status: 'synced',
      changes: {
        users: { added: 1100, changed: 0, removed: 0 },
        groups: { added: 201, changed: 0, removed: 0 },
        members: { added: 450, changed: 0, removed: 0 },
      },
    });
    const userPages = requestsTo('/admin/directory/v1/users');
    expect(userPages.map((r) => r.query.get('pageToken'))).toEqual([null, '500', '1000']);
    expect(userPages.every((r) => r.query.get('customer') === 'my_customer')).toBe(true);
    expect(userPages.every((r) => r.query.get('maxResults') === '500')).toBe(true);
    expect(userPages.every((r) => r.subject === org.admin)).toBe(true);
    expect(requestsTo('/admin/directory/v1/groups').map((r) => r.query.get('pageToken'))).toEqual([
      null,
      '200',
    ]);
    const bigGroup = `/admin/directory/v1/groups/${google.groups[0].id}/members`;
    expect(requestsTo(bigGroup).map((r) => r.query.get('pageToken'))).toEqual([null, '200']);

    const grant = google.grants.find((g) => g.sub === org.admin)!;
    expect(grant).toMatchObject({
      iss: google.serviceAccountKey.client_email,
      aud: 'https://oauth2.googleapis.com/token',
      signatureValid: true,
    });
    expect(grant.scope.split(' ').sort()).toEqual([
      'https://www.googleapis.com/auth/admin.directory.group.readonly',
      'https://www.googleapis.com/auth/admin.directory.user.readonly',
    ]);
    // One token for the whole sync: the client is reused across its 205 requests.
    expect(google.grants.filter((g) => g.sub === org.admin)).toHaveLength(1);

    const [stored] = await test.dataSource.query<{ users: number; mailboxes: number }[]>(
      `SELECT
         (SELECT count(*)::int FROM google_directory_users WHERE organisation_id = $1) AS users,
         (SELECT count(*)::int FROM google_mailboxes WHERE organisation_id = $1) AS mailboxes`,
      [org.organisationId],
    );
    expect(stored).toEqual({ users: 1100, mailboxes: 1100 });
  });

  it('gives group rules of the policy the sender’s groups, by id and by address', async () => {
    const senderGroups = test.moduleRef.get(GoogleSenderGroups);

    const ofFirst = await senderGroups.groupsOf(org.organisationId, addresses[0].toUpperCase());
    const ofOther = await senderGroups.groupsOf(randomUUID(), addresses[0]);

    expect(ofFirst).toEqual([google.groups[0].id, google.groups[0].email]);
    expect(ofOther).toEqual([]);
  });

  it('stores only what changed: added, changed, suspended, removed users and members', async () => {
    google.users[1].name = { fullName: 'Renamed Clinician' };
    google.users[2].suspended = true;
    const [removed] = google.users.splice(3, 1);
    someUsers(google, org.domain, 2);
    google.groups[0].members = google.groups[0].members.filter((m) => m.id !== removed.id);
    google.groups.pop();

    const result = await sync();

    expect(result).toEqual({
      status: 'synced',
      changes: {
        users: { added: 2, changed: 2, removed: 1 },
        groups: { added: 0, changed: 0, removed: 1 },
        members: { added: 0, changed: 0, removed: 2 },
      },
    });
    const mailboxes = await test.dataSource.query<{ address: string }[]>(
      `SELECT address FROM google_mailboxes WHERE organisation_id = $1`,
      [org.organisationId],
    );
    const watched = new Set(mailboxes.map((m) => m.address));
    expect(watched.size).toBe(1100);
    expect(watched.has(google.users[2].primaryEmail)).toBe(false);
    expect(watched.has(removed.primaryEmail)).toBe(false);
    expect((await status()).counts).toMatchObject({ users: 1101, groups: 200, mailboxes: 1100 });
  });

  it('waits as Retry-After says on 429, backs off on 503, and then completes', async () => {
    google.failNext('/admin/directory/v1/users', 429, { retryAfter: '1' });
    google.failNext('/admin/directory/v1/groups', 503);
    const before = google.requests.length;
    const started = Date.now();

    const result = await sync();

    expect(result.status).toBe('synced');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const seen = google.requests.slice(before).map((r) => r.path);
    expect(seen.slice(0, 2)).toEqual(['/admin/directory/v1/users', '/admin/directory/v1/users']);
    // 200 groups now: one page, asked for twice.
    expect(seen.filter((path) => path === '/admin/directory/v1/groups')).toHaveLength(2);
  });

  it('records a refused delegation as the last error, without the answer’s text', async () => {
    const refused = await aConnectedOrganisation(test, google);
    google.delegated.delete(refused.admin);

    const failure = await test.moduleRef
      .get(SyncDirectoryUseCase)
      .execute(refused.organisationId)
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(GoogleWorkspaceError);
    const now = await status(refused.organisationId);
    expect(now.health).toBe('failing');
    expect(now.lastError?.summary).toBe('directory: auth_refused (401)');
    expect(JSON.stringify(now)).not.toContain('unauthorized');
    expect(test.logs.lines.join('\n')).not.toContain(refused.admin);
  });

  it('keeps each organisation’s directory to itself', async () => {
    const other = await test.moduleRef.get(OrganisationsService).create('google-other');

    const theirs = await status(other.id);

    expect(theirs).toMatchObject({
      health: 'not_configured',
      counts: { users: 0, groups: 0, groupMembers: 0, mailboxes: 0 },
    });
    await expect(test.moduleRef.get(SyncDirectoryUseCase).execute(other.id)).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
