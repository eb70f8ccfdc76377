/**
 * The directory groups a sender belongs to, for group rules of the encryption policy. Bound by
 * a directory connector (Microsoft 365); without one, senders belong to no group and group
 * rules never match.
 */
export abstract class SenderGroups {
  abstract groupsOf(organisationId: string, address: string): Promise<readonly string[]>;
}
