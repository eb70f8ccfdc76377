import { Column, Entity, PrimaryColumn } from 'typeorm';
import { type RecipientKind, type RecipientStatus } from './message-status';

@Entity({ name: 'message_recipients' })
export class MessageRecipient {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId!: string;

  @Column({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @Column({ type: 'text' })
  kind!: RecipientKind;

  @Column({ type: 'text' })
  address!: string;

  @Column({ type: 'text' })
  domain!: string;

  @Column({ type: 'text' })
  status!: RecipientStatus;

  @Column({ type: 'text', nullable: true })
  method!: string | null;

  @Column({ name: 'smtp_response', type: 'text', nullable: true })
  smtpResponse!: string | null;

  @Column({ name: 'tls_version', type: 'text', nullable: true })
  tlsVersion!: string | null;

  @Column({ name: 'tls_cipher', type: 'text', nullable: true })
  tlsCipher!: string | null;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** The protection decision of the last attempt: method, reasons, why protection applied. */
  @Column({ type: 'jsonb', nullable: true })
  decision!: Record<string, unknown> | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
