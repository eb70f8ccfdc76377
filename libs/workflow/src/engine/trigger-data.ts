import { type EnvelopeCipher, type SealedValue } from '@sealpost/core';

/** Trigger data (e.g. an appointment time from the EHR) may be PHI: stored only sealed. */
export type TriggerData = Record<string, unknown>;

function contextOf(organisationId: string, enrollmentId: string): string {
  return `workflow-trigger:${organisationId}:${enrollmentId}`;
}

export function sealTrigger(
  cipher: EnvelopeCipher,
  organisationId: string,
  enrollmentId: string,
  data: TriggerData,
): SealedValue {
  const plaintext = Buffer.from(JSON.stringify(data), 'utf8');
  return cipher.seal(plaintext, contextOf(organisationId, enrollmentId));
}

export function openTrigger(
  cipher: EnvelopeCipher,
  organisationId: string,
  enrollmentId: string,
  sealed: SealedValue | null,
): TriggerData {
  if (!sealed) {
    return {};
  }
  const plaintext = cipher.open(sealed, contextOf(organisationId, enrollmentId));
  return JSON.parse(plaintext.toString('utf8')) as TriggerData;
}
