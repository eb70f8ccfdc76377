import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'messages' })
export class Message {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId!: string;

  @Column({ name: 'from_address', type: 'text' })
  fromAddress!: string;

  @Column({ type: 'text', array: true })
  tags!: string[];

  @Column({ type: 'jsonb' })
  metadata!: Record<string, string>;

  /** Subject, bodies, headers and attachments, sealed with EnvelopeCipher. */
  @Column({ name: 'content_ciphertext', type: 'bytea', select: false })
  contentCiphertext!: Buffer;

  @Column({ name: 'content_wrapped_key', type: 'bytea', select: false })
  contentWrappedKey!: Buffer;

  @Column({ name: 'content_key_id', type: 'text' })
  contentKeyId!: string;

  @Column({ name: 'size_bytes', type: 'integer' })
  sizeBytes!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
