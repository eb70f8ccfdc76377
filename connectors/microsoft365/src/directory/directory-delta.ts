/** The parts of Graph's delta answers Sealpost reads (users and groups with members). */
export interface DeltaPage<T> {
  value?: T[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

export interface Removed {
  reason?: string;
}

export interface DeltaUser {
  id: string;
  mail?: string | null;
  userPrincipalName?: string | null;
  displayName?: string | null;
  accountEnabled?: boolean | null;
  '@removed'?: Removed;
}

export interface DeltaMember {
  '@odata.type'?: string;
  id: string;
  '@removed'?: Removed;
}

export interface DeltaGroup {
  id: string;
  displayName?: string | null;
  'members@delta'?: DeltaMember[];
  '@removed'?: Removed;
}

export const USERS_DELTA =
  '/users/delta?$select=id,mail,userPrincipalName,displayName,accountEnabled';
export const GROUPS_DELTA = '/groups/delta?$select=displayName,members';

export const isUserMember = (member: DeltaMember): boolean =>
  member['@odata.type'] === undefined || member['@odata.type'] === '#microsoft.graph.user';
