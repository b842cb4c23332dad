import { StaffAccounts1700000000000 } from './1700000000000-staff-accounts.js';
import { Intake1700000001000 } from './1700000001000-intake.js';
import { DrawsAndPrizes1700000002000 } from './1700000002000-draws-and-prizes.js';
import { RegistrationSlots1700000004000 } from './1700000004000-registration-slots.js';
import { FreezeIndexes1700000005000 } from './1700000005000-freeze-indexes.js';
import { RejectedRegistrationsReleaseInvoice1700000006000 } from './1700000006000-rejected-registrations-release-invoice.js';
import { VerifiedIdentities1700000012000 } from './1700000012000-verified-identities.js';
import { StaffAccountStatus1700000012100 } from './1700000012100-staff-account-status.js';
import { BuyerIdsAndAutoEntry1700000012200 } from './1700000012200-buyer-ids-and-auto-entry.js';
import { RegistryImports1700000013000 } from './1700000013000-registry-imports.js';
import { RegistrationCounts1700000013100 } from './1700000013100-registration-counts.js';
import { Utf8Beacons1700000016000 } from './1700000016000-utf8-beacons.js';
import { DrawEntriesClosed1700000016500 } from './1700000016500-draw-entries-closed.js';
import { AutoEntrySource1700000018100 } from './1700000018100-auto-entry-source.js';
import { InvoiceFileSource1700000018000 } from './1700000018000-invoice-file-source.js';
import { PeriodPools1700000018200 } from './1700000018200-period-pools.js';
import { DrawRequestReason1700000019000 } from './1700000019000-draw-request-reason.js';
import { InstantDraws1700000018500 } from './1700000018500-instant-draws.js';

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const migrations = [
  StaffAccounts1700000000000,
  Intake1700000001000,
  DrawsAndPrizes1700000002000,
  RegistrationSlots1700000004000,
  FreezeIndexes1700000005000,
  RejectedRegistrationsReleaseInvoice1700000006000,
  VerifiedIdentities1700000012000,
  StaffAccountStatus1700000012100,
  BuyerIdsAndAutoEntry1700000012200,
  RegistryImports1700000013000,
  RegistrationCounts1700000013100,
  Utf8Beacons1700000016000,
  DrawEntriesClosed1700000016500,
  InvoiceFileSource1700000018000,
  AutoEntrySource1700000018100,
  PeriodPools1700000018200,
  InstantDraws1700000018500,
  DrawRequestReason1700000019000,
];
