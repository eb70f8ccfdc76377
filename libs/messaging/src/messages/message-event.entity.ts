import { Column, Entity, PrimaryColumn } from 'typeorm';
import { type MessageEventType } from './message-status';

@Entity({ name: 'message_events' })
export class MessageEvent {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId!: string;

  @Column({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @Column({ name: 'recipient_id', type: 'uuid', nullable: true })
  recipientId!: string | null;

  @Column({ type: 'text' })
  type!: MessageEventType;

  /** References and SMTP facts only (reply codes, TLS version); never content. */
  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
