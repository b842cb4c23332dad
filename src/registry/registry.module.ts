import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NdjsonBodyParser } from './ndjson-body.js';
import { RegistryImporter } from './registry-importer.js';
import { RegistryInvoice } from './registry-invoice.entity.js';
import { RegistryController } from './registry.controller.js';
import { RegistryService } from './registry.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([RegistryInvoice])],
  controllers: [RegistryController],
  providers: [RegistryService, RegistryImporter, NdjsonBodyParser],
  exports: [RegistryService],
})
export class RegistryModule {}
