import { Injectable } from '@nestjs/common';
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
