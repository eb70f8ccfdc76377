import { createHash } from 'node:crypto';

export interface DirectoryUser {
  googleId: string;
  primaryEmail: string;
  fullName: string | null;
  suspended: boolean;
  isAdmin: boolean;
  orgUnitPath: string | null;
}

export interface DirectoryGroup {
  googleId: string;
  email: string;
  name: string | null;
}

export interface GroupMember {
  groupId: string;
  memberId: string;
  memberEmail: string | null;
  /** USER, GROUP, CUSTOMER or EXTERNAL, as the Directory API names them. */
  memberType: string;
  /** OWNER, MANAGER or MEMBER. */
  role: string;
}

/** The whole directory as one sync read it. */
export interface DirectorySnapshot {
  users: DirectoryUser[];
  groups: DirectoryGroup[];
  members: GroupMember[];
}

export interface ChangeCounts {
  added: number;
  changed: number;
  removed: number;
}

export interface DirectoryChanges {
  users: ChangeCounts;
  groups: ChangeCounts;
  members: ChangeCounts;
}

/** A stable hash of the fields kept, so an unchanged entry is told apart without a compare. */
export function digestOf(entry: object): string {
  const fields = Object.entries(entry).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(fields)).digest('base64url').slice(0, 22);
}
