import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Consumer } from '../consumers/consumer.entity.js';
import { RegistryInvoice } from '../registry/registry-invoice.entity.js';
import { AutoEntryService } from './auto-entry.service.js';
import { InvoiceVerificationProcessor } from './invoice-verification.processor.js';
import { InvoiceVerificationService } from './invoice-verification.service.js';
import { Invoice } from './invoice.entity.js';
import { PendingRecheckSchedule } from './pending-recheck.schedule.js';
import { InvoiceFileReader } from './files/invoice-file-reader.js';
import { InvoicesService } from './invoices.service.js';
import { RegistrationLimiter } from './registration-limits.js';
import { RegistrationStateReader } from './registration-state.reader.js';

/**
 * Worker process only: the registry queue's processor. InvoicesService (automatic entry) comes with its
 * InvoiceFileReader, whose thread pool starts only on a first file, so the worker starts no threads.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Invoice, Consumer, RegistryInvoice])],
  providers: [InvoiceVerificationService, InvoiceVerificationProcessor, PendingRecheckSchedule, InvoicesService, InvoiceFileReader, RegistrationLimiter, RegistrationStateReader, AutoEntryService],
  exports: [InvoiceVerificationService, PendingRecheckSchedule, AutoEntryService],
})
export class InvoicesWorkerModule {}
