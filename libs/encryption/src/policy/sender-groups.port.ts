import { type FactoryProvider, type Type } from '@nestjs/common';

/**
 * The directory groups a sender belongs to, for group rules of the encryption policy. Bound by
 * the directory connectors (Microsoft 365, Google Workspace); without one, senders belong to
 * no group and group rules never match.
 */
export abstract class SenderGroups {
  abstract groupsOf(organisationId: string, address: string): Promise<readonly string[]>;
}

/**
 * Several directories at once: an organisation may sync Microsoft 365 and Google Workspace,
 * and a group rule names a group of either. A sender's groups are the union of what each
 * directory knows of the address.
 */
export class CombinedSenderGroups extends SenderGroups {
  constructor(private readonly directories: readonly SenderGroups[]) {
    super();
  }

  async groupsOf(organisationId: string, address: string): Promise<readonly string[]> {
    const found = await Promise.all(
      this.directories.map((directory) => directory.groupsOf(organisationId, address)),
    );
    return [...new Set(found.flat())];
  }
}

/** Binds SenderGroups to the union of the given directories' providers (see the apps). */
export function combinedSenderGroupsProvider(
  ...directories: Type<SenderGroups>[]
): FactoryProvider<SenderGroups> {
  return {
    provide: SenderGroups,
    useFactory: (...found: SenderGroups[]) => new CombinedSenderGroups(found),
    inject: directories,
  };
}
