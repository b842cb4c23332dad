import { InvoiceReadRepository } from './invoice-read.repository.js';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Consumer } from '../consumers/consumer.entity.js';
import { RegistryInvoice } from '../registry/registry-invoice.entity.js';
import { Invoice } from './invoice.entity.js';
import { InvoicesController } from './invoices.controller.js';
import { InvoiceFileReader } from './files/invoice-file-reader.js';
import { InvoicesService } from './invoices.service.js';
import { RegistrationLimiter } from './registration-limits.js';
import { RegistrationStateReader } from './registration-state.reader.js';
import { RegistrationStats } from './registration-stats.js';

@Module({
  imports: [TypeOrmModule.forFeature([Invoice, Consumer, RegistryInvoice])],
  controllers: [InvoicesController],
  providers: [InvoicesService, InvoiceFileReader, RegistrationLimiter, RegistrationStateReader, RegistrationStats, InvoiceReadRepository],
  exports: [InvoicesService, RegistrationStats, InvoiceReadRepository],
})
export class InvoicesModule {}
