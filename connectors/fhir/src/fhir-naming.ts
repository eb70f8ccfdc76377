/**
 * The identifier systems and extension Sealpost owns. They name Sealpost's records inside
 * other systems, so they never change once an EHR holds resources carrying them.
 */
export const FHIR_NAMESPACE = 'https://sealpost.example/fhir';

/** Value: the message recipient id. One Communication per message and patient recipient. */
export const MESSAGE_RECIPIENT_SYSTEM = `${FHIR_NAMESPACE}/NamingSystem/message-recipient`;

/** Value: `<recipient id>:<milestone>`, for servers that accept only creates. */
export const MESSAGE_MILESTONE_SYSTEM = `${FHIR_NAMESPACE}/NamingSystem/message-milestone`;

/** Value: the id of the reply's event. A reply is its own Communication. */
export const MESSAGE_REPLY_SYSTEM = `${FHIR_NAMESPACE}/NamingSystem/message-reply`;

/** Engagement (opened, clicked, portal-viewed) with sub-extensions `type` and `time`. */
export const ENGAGEMENT_EXTENSION = `${FHIR_NAMESPACE}/StructureDefinition/engagement`;

/** Codes for statusReason when a message was not delivered. */
export const NOT_DONE_REASON_SYSTEM = `${FHIR_NAMESPACE}/CodeSystem/not-done-reason`;
