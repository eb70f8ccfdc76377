import addressparser from 'nodemailer/lib/addressparser';

export interface Mailbox {
  name: string;
  address: string;
  domain: string;
}

// Deliberately plain: RFC 5321 local parts with quotes or comments are legal but almost
// never legitimate in healthcare mail, and rejecting them early beats a bounce later.
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LOCAL_PART = new RegExp(`^${ATOM}(\\.${ATOM})*$`);
const DOMAIN_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const ADDRESS_PATTERN = new RegExp(
  `^[^@\\s]{1,64}@(?=.{1,253}$)(${DOMAIN_LABEL}\\.)+[A-Za-z0-9-]{2,63}$`,
);

/** Reads `address` or `Name <address>`; null when it is not exactly one valid mailbox. */
export function parseMailbox(input: string): Mailbox | null {
  if (/[\r\n]/.test(input)) {
    return null;
  }
  const parsed = addressparser(input.trim());
  if (parsed.length !== 1) {
    return null;
  }
  const [entry] = parsed;
  // Without angle brackets the whole input is the address: "a@x b@y" must not become a name
  // and one address, silently dropping a recipient.
  if (!input.includes('<') && entry.name) {
    return null;
  }
  if (!entry.address || !ADDRESS_PATTERN.test(entry.address)) {
    return null;
  }
  const at = entry.address.lastIndexOf('@');
  if (!LOCAL_PART.test(entry.address.slice(0, at))) {
    return null;
  }
  const domain = entry.address.slice(at + 1).toLowerCase();
  return { name: entry.name, address: entry.address.slice(0, at + 1) + domain, domain };
}
