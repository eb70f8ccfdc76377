import { Global, Injectable, Module } from '@nestjs/common';
import { SenderGroups } from '@sealpost/encryption';
import { DirectoryStore } from './directory.store';

/** Group rules of the encryption policy read the sender's groups from the mirrored directory. */
@Injectable()
export class M365SenderGroups extends SenderGroups {
  constructor(private readonly directory: DirectoryStore) {
    super();
  }

  groupsOf(organisationId: string, address: string): Promise<readonly string[]> {
    return this.directory.groupsOfAddress(organisationId, address);
  }
}

/**
 * Global so that the delivery's ProtectionPlanner (libs/messaging) finds the binding without
 * importing a connector; import it once per process that evaluates policies.
 */
@Global()
@Module({
  providers: [DirectoryStore, { provide: SenderGroups, useClass: M365SenderGroups }],
  exports: [SenderGroups],
})
export class Microsoft365SenderGroupsModule {}
