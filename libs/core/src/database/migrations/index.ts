import { CreateOrganisations1796313600000 } from './1796313600000-CreateOrganisations';
import { CreateMessages1796313600001 } from './1796313600001-CreateMessages';
import { CreateOutbox1796313600002 } from './1796313600002-CreateOutbox';
import { CreateIdempotencyKeys1796313600003 } from './1796313600003-CreateIdempotencyKeys';
import { CreateKeyDirectory1796313600004 } from './1796313600004-CreateKeyDirectory';
import { CreateEncryptionPolicies1796313600005 } from './1796313600005-CreateEncryptionPolicies';
import { CreateOrganisationKeys1796313600006 } from './1796313600006-CreateOrganisationKeys';
import { CreatePortal1796313600007 } from './1796313600007-CreatePortal';
import { AllowSmimeSigningKey1796313600008 } from './1796313600008-AllowSmimeSigningKey';
import { CreateContacts1796313600020 } from './1796313600020-CreateContacts';
import { CreateContactLists1796313600021 } from './1796313600021-CreateContactLists';
import { CreateSegments1796313600022 } from './1796313600022-CreateSegments';
import { CreateOrgSettings1796313600030 } from './1796313600030-CreateOrgSettings';
import { CreateTemplates1796313600031 } from './1796313600031-CreateTemplates';
import { CreateWorkflows1796313600040 } from './1796313600040-CreateWorkflows';
import { CreateAuditRecords1796313600050 } from './1796313600050-CreateAuditRecords';
import { CreateAuditCheckpoints1796313600051 } from './1796313600051-CreateAuditCheckpoints';
import { MakeAuditAppendOnly1796313600052 } from './1796313600052-MakeAuditAppendOnly';
import { QueueAuditEvents1796313600053 } from './1796313600053-QueueAuditEvents';
import { CreateWebhookEndpoints1796313600060 } from './1796313600060-CreateWebhookEndpoints';
import { CreateWebhookDeliveries1796313600061 } from './1796313600061-CreateWebhookDeliveries';
import { CreateWebhookAttempts1796313600062 } from './1796313600062-CreateWebhookAttempts';
import { CreateWebhookFanOut1796313600063 } from './1796313600063-CreateWebhookFanOut';
import { CreateUsers1796313600070 } from './1796313600070-CreateUsers';
import { CreateReports1796313600080 } from './1796313600080-CreateReports';
// A namespace import: the named one is longer than a line may be, and prettier will not wrap it.
import * as engagementIndex from './1796313600081-IndexEngagementEventsForReports';
import { IndexRecipientsForReports1796313600082 } from './1796313600082-IndexRecipientsForReports';
import { AddRetention1796313600090 } from './1796313600090-AddRetention';
import { IndexAuditRecordsByTarget1796313600091 } from './1796313600091-IndexAuditRecordsByTarget';
import { LightenRecipientWrites1796313600092 } from './1796313600092-LightenRecipientWrites';
import { CreateGatewayAccess1796313600110 } from './1796313600110-CreateGatewayAccess';
import { CreateSuppressions1796313600120 } from './1796313600120-CreateSuppressions';
import { CreateFhirConnector1796313600140 } from './1796313600140-CreateFhirConnector';
import { CreateGatewayReceipts1796313600150 } from './1796313600150-CreateGatewayReceipts';
import { AddEnrollmentJourneyKeys1796313600160 } from './1796313600160-AddEnrollmentJourneyKeys';
// A namespace import: the named one is longer than a line may be.
import * as fhirAppointments from './1796313600161-CreateFhirAppointmentTriggers';
import { CreateAddinTokens1796313600190 } from './1796313600190-CreateAddinTokens';
// A namespace import: the named one is longer than a line may be.
import * as microsoft365 from './1796313600170-CreateMicrosoft365Connector';
// A namespace import: the named one is longer than a line may be.
import * as googleWorkspace from './1796313600180-CreateGoogleWorkspaceConnector';
// A namespace import: the named one is longer than a line may be.
import * as googleSentChecks from './1796313600181-AllowUndecidedGoogleSentChecks';

/** Every migration, in order. Listed by class so compiled and test runs load the same set. */
export const MIGRATIONS = [
  CreateOrganisations1796313600000,
  CreateMessages1796313600001,
  CreateOutbox1796313600002,
  CreateIdempotencyKeys1796313600003,
  CreateKeyDirectory1796313600004,
  CreateEncryptionPolicies1796313600005,
  CreateOrganisationKeys1796313600006,
  CreatePortal1796313600007,
  AllowSmimeSigningKey1796313600008,
  CreateContacts1796313600020,
  CreateContactLists1796313600021,
  CreateSegments1796313600022,
  CreateOrgSettings1796313600030,
  CreateTemplates1796313600031,
  CreateWorkflows1796313600040,
  CreateAuditRecords1796313600050,
  CreateAuditCheckpoints1796313600051,
  MakeAuditAppendOnly1796313600052,
  QueueAuditEvents1796313600053,
  CreateWebhookEndpoints1796313600060,
  CreateWebhookDeliveries1796313600061,
  CreateWebhookAttempts1796313600062,
  CreateWebhookFanOut1796313600063,
  CreateUsers1796313600070,
  CreateReports1796313600080,
  engagementIndex.IndexEngagementEventsForReports1796313600081,
  IndexRecipientsForReports1796313600082,
  AddRetention1796313600090,
  IndexAuditRecordsByTarget1796313600091,
  LightenRecipientWrites1796313600092,
  CreateGatewayAccess1796313600110,
  CreateSuppressions1796313600120,
  CreateFhirConnector1796313600140,
  CreateGatewayReceipts1796313600150,
  AddEnrollmentJourneyKeys1796313600160,
  fhirAppointments.CreateFhirAppointmentTriggers1796313600161,
  microsoft365.CreateMicrosoft365Connector1796313600170,
  googleWorkspace.CreateGoogleWorkspaceConnector1796313600180,
  googleSentChecks.AllowUndecidedGoogleSentChecks1796313600181,
  CreateAddinTokens1796313600190,
];
