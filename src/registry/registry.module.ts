import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ImportProgressStore } from './import-progress.js';
import { NdjsonBodyParser } from './ndjson-body.js';
import { RegistryAdminController } from './registry-admin.controller.js';
import { RegistryImporter } from './registry-importer.js';
import { RegistryInvoice } from './registry-invoice.entity.js';
import { RegistryController } from './registry.controller.js';
import { RegistryService } from './registry.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([RegistryInvoice])],
  controllers: [RegistryController, RegistryAdminController],
  providers: [RegistryService, RegistryImporter, NdjsonBodyParser, ImportProgressStore],
  exports: [RegistryService],
})
export class RegistryModule {}
