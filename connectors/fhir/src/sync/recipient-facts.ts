/** What a sync reads of its recipient, in the same statement as its claim. */
export interface RecipientFacts {
  message_id: string;
  from_address: string;
  metadata: Record<string, unknown>;
  content_ciphertext: Buffer;
  content_wrapped_key: Buffer;
  content_key_id: string;
  /** The contact the message was sent to (workflow sends), else the one with the address. */
  patient_ref: string | null;
  /** Every event of the recipient (and the message's own), oldest first. */
  events: { id: string; type: string; created_at: string }[];
}

// Message metadata is the sender's; a contactId that is not a uuid links nothing.
export const UUID_PATTERN =
  '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/**
 * The RecipientFacts columns for a sync row `s` joined to `message_recipients r` and
 * `messages m`; `$uuid` is the parameter holding UUID_PATTERN.
 */
export function recipientFactsColumns(uuid: string): string {
  return `m.id AS message_id, m.from_address, m.metadata, m.content_ciphertext,
    m.content_wrapped_key, m.content_key_id,
    COALESCE(
      (SELECT c.ehr_patient_ref FROM contacts c
        WHERE c.organisation_id = r.organisation_id
          AND c.id = CASE WHEN m.metadata ->> 'contactId' ~ ${uuid}
                          THEN (m.metadata ->> 'contactId')::uuid END),
      (SELECT c.ehr_patient_ref FROM contacts c
        WHERE c.organisation_id = r.organisation_id
          AND c.email_normalised = lower(trim(r.address)))) AS patient_ref,
    (SELECT COALESCE(json_agg(json_build_object('id', e.id::text, 'type', e.type,
              'created_at', e.created_at) ORDER BY e.id), '[]')
       FROM message_events e
      WHERE e.message_id = m.id AND e.organisation_id = r.organisation_id
        AND (e.recipient_id = r.id OR e.recipient_id IS NULL)) AS events`;
}
