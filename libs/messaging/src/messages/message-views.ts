export interface RecipientView {
  id: string;
  address: string;
  kind: string;
  status: string;
  method: string | null;
  smtpResponse: string | null;
  tls: { version: string; cipher: string } | null;
  decision: Record<string, unknown> | null;
  attempts: number;
  lastError: string | null;
  deliveredAt: string | null;
  updatedAt: string;
}

export interface EventView {
  type: string;
  recipientId: string | null;
  at: string;
  data: Record<string, unknown>;
}

export interface MessageView {
  id: string;
  from: string;
  tags: string[];
  metadata: Record<string, string>;
  sizeBytes: number;
  createdAt: string;
  recipients: RecipientView[];
  events: EventView[];
}

export interface MessageSummaryView {
  id: string;
  from: string;
  tags: string[];
  createdAt: string;
  recipients: { id: string; address: string; kind: string; status: string }[];
}

export interface MessagePage {
  data: MessageSummaryView[];
  nextCursor: string | null;
}

export interface MessageFilters {
  status?: string;
  recipient?: string;
  tag?: string;
  createdAfter?: Date;
  createdBefore?: Date;
  cursor?: string;
  limit: number;
}
