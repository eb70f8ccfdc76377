import { type AuditActor } from '@sealpost/core';

/** Sealpost's own jobs of this connector, as the audit chain names them. */
export const GOOGLE_SYSTEM_ACTOR: AuditActor = { type: 'system', id: 'google-workspace' };

/** Audit action of a sent Gmail message without the gateway's stamp. */
export const BYPASS_ACTION = 'gmail_message.bypassed_gateway';
