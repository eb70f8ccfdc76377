import { CombinedSenderGroups, SenderGroups } from './sender-groups.port';

class FixedGroups extends SenderGroups {
  readonly asked: string[] = [];

  constructor(private readonly groups: Record<string, string[]>) {
    super();
  }

  groupsOf(organisationId: string, address: string): Promise<readonly string[]> {
    this.asked.push(`${organisationId}:${address}`);
    return Promise.resolve(this.groups[address] ?? []);
  }
}

describe('CombinedSenderGroups', () => {
  it('answers the union of every directory, each asked for the same sender', async () => {
    const microsoft = new FixedGroups({ 'a@clinic.example': ['entra-1', 'shared'] });
    const google = new FixedGroups({ 'a@clinic.example': ['shared', 'nurses@clinic.example'] });
    const combined = new CombinedSenderGroups([microsoft, google]);

    const groups = await combined.groupsOf('org-1', 'a@clinic.example');

    expect([...groups].sort()).toEqual(['entra-1', 'nurses@clinic.example', 'shared']);
    expect([microsoft.asked, google.asked]).toEqual([
      ['org-1:a@clinic.example'],
      ['org-1:a@clinic.example'],
    ]);
    expect(await combined.groupsOf('org-1', 'b@clinic.example')).toEqual([]);
  });
});
