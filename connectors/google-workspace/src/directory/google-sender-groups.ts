import { Injectable } from '@nestjs/common';
import { SenderGroups } from '@sealpost/encryption';
import { GoogleDirectoryGroupsQuery } from './directory-groups.query';

/**
 * Group rules of the encryption policy, fed from the mirrored Google directory. A process
 * binds one SenderGroups; where Microsoft 365 binds it too, the app combines both.
 */
@Injectable()
export class GoogleSenderGroups extends SenderGroups {
  constructor(private readonly groups: GoogleDirectoryGroupsQuery) {
    super();
  }

  groupsOf(organisationId: string, address: string): Promise<readonly string[]> {
    return this.groups.groupsOf(organisationId, address);
  }
}
