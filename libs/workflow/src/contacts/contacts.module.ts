import { Module } from '@nestjs/common';
import { ContactListsService } from '../lists/contact-lists.service';
import { Clock, SystemClock } from '../scheduling/clock';
import { ContactFieldCatalog } from '../templates/contact-field-catalog';
import { SegmentMembers } from '../segments/segment-members.service';
import { SegmentsService } from '../segments/segments.service';
import { ContactFieldsService } from './contact-fields.service';
import { ContactsBulkService } from './contacts-bulk.service';
import { ContactsService } from './contacts.service';
import { ContactCsvImportService } from './csv/contact-csv-import.service';

const SERVICES = [
  ContactFieldsService,
  ContactsService,
  ContactsBulkService,
  ContactCsvImportService,
  ContactListsService,
  SegmentsService,
  SegmentMembers,
];

/** The audience of workflows: contacts, their fields, CSV import, lists and segments. */
@Module({
  providers: [
    ...SERVICES,
    { provide: Clock, useClass: SystemClock },
    { provide: ContactFieldCatalog, useExisting: ContactFieldsService },
  ],
  exports: [...SERVICES, ContactFieldCatalog],
})
export class ContactsModule {}
