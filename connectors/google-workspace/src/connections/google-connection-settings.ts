import { ErrorCode, SealpostError } from '@sealpost/core';
import {
  DEFAULT_CUSTOMER_ID,
  type GoogleConnectionInput,
  type GooglePushAuth,
} from './google-connection';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const TOPIC = /^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/topics\/[A-Za-z][\w.~+%-]{2,254}$/;
const CUSTOMER = /^(my_customer|C[0-9a-z]{5,20})$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export interface CheckedSettings {
  customerId: string;
  domain: string | null;
  adminSubject: string;
  pubsubTopic: string | null;
  pushAuth: GooglePushAuth;
  pushAudience: string | null;
  pushServiceAccount: string | null;
}

/** The rules a connection keeps after any change; each failure names its field. */
export function checkedSettings(
  input: Omit<GoogleConnectionInput, 'serviceAccountKey'>,
): CheckedSettings {
  const invalid = (message: string) => new SealpostError(ErrorCode.InvalidValue, message);
  const customerId = input.customerId?.trim() || DEFAULT_CUSTOMER_ID;
  if (!CUSTOMER.test(customerId)) {
    throw invalid('customerId must be my_customer or a customer id such as C01ab2cd3.');
  }
  const domain = input.domain?.trim().toLowerCase() || null;
  if (domain !== null && !DOMAIN.test(domain)) {
    throw invalid('domain must be a domain name such as example.org.');
  }
  if (!EMAIL.test(input.adminSubject?.trim() ?? '')) {
    throw invalid('adminSubject must be the address of a Workspace administrator.');
  }
  const pubsubTopic = input.pubsubTopic?.trim() || null;
  if (pubsubTopic !== null && !TOPIC.test(pubsubTopic)) {
    throw invalid('pubsubTopic must read projects/<project>/topics/<topic>.');
  }
  const pushAudience = input.pushAudience?.trim() || null;
  if (pushAudience !== null && !URL.canParse(pushAudience)) {
    throw invalid('pushAudience must be an absolute URL.');
  }
  const pushServiceAccount = input.pushServiceAccount?.trim().toLowerCase() || null;
  if (pushServiceAccount !== null && !EMAIL.test(pushServiceAccount)) {
    throw invalid('pushServiceAccount must be a service account address.');
  }
  return {
    customerId,
    domain,
    adminSubject: input.adminSubject.trim().toLowerCase(),
    pubsubTopic,
    pushAuth: input.pushAuth ?? 'oidc',
    pushAudience,
    pushServiceAccount,
  };
}
