import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Consumer } from '../consumers/consumer.entity.js';
import { RegistryInvoice } from '../registry/registry-invoice.entity.js';
import { InvoiceVerificationProcessor } from './invoice-verification.processor.js';
import { InvoiceVerificationService } from './invoice-verification.service.js';
import { Invoice } from './invoice.entity.js';
import { PendingRecheckSchedule } from './pending-recheck.schedule.js';

/** Worker process only: the registry queue's processor. */
@Module({
  imports: [TypeOrmModule.forFeature([Invoice, Consumer, RegistryInvoice])],
  providers: [InvoiceVerificationService, InvoiceVerificationProcessor, PendingRecheckSchedule],
  exports: [InvoiceVerificationService, PendingRecheckSchedule],
})
export class InvoicesWorkerModule {}
