/** A recipient key or certificate as the API shows it; never private material. */
export interface DirectoryEntryView {
  id: string;
  address: string;
  fingerprint: string;
  expiresAt: string | null;
  createdAt: string;
}

/**
 * What delivery learns about one recipient from a directory: material (and, when it is worth
 * recording, where it came from), or why not.
 */
export type DirectoryLookup<T> =
  { usable: true; material: T; reason?: string } | { usable: false; reason: string };

export function normaliseAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? address : address.slice(0, at + 1) + address.slice(at + 1).toLowerCase();
}
