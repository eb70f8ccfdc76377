import { createPrivateKey } from 'node:crypto';
import { ErrorCode, SealpostError } from '@sealpost/core';

/** The fields of a service account's JSON key file that Sealpost uses. */
export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Checks a key file as Google Cloud issues it (type service_account, client_email, a PEM
 * private_key that parses). Errors name the field, never its value.
 */
export function parseServiceAccountKey(input: unknown): ServiceAccountKey {
  const key = typeof input === 'string' ? parseJson(input) : input;
  if (!key || typeof key !== 'object' || Array.isArray(key)) {
    throw invalid('serviceAccountKey must be the JSON key file of a service account.');
  }
  const fields = key as Record<string, unknown>;
  if (fields.type !== 'service_account') {
    throw invalid('serviceAccountKey.type must be "service_account".');
  }
  if (typeof fields.client_email !== 'string' || !EMAIL.test(fields.client_email)) {
    throw invalid('serviceAccountKey.client_email must be the service account address.');
  }
  if (typeof fields.private_key !== 'string' || !isPrivateKey(fields.private_key)) {
    throw invalid('serviceAccountKey.private_key must be a PEM private key.');
  }
  const keyId = typeof fields.private_key_id === 'string' ? fields.private_key_id : undefined;
  return {
    client_email: fields.client_email,
    private_key: fields.private_key,
    ...(keyId ? { private_key_id: keyId } : {}),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalid('serviceAccountKey is not valid JSON.');
  }
}

function isPrivateKey(pem: string): boolean {
  try {
    return createPrivateKey(pem).asymmetricKeyType === 'rsa';
  } catch {
    return false;
  }
}

function invalid(message: string): SealpostError {
  return new SealpostError(ErrorCode.InvalidValue, message);
}
