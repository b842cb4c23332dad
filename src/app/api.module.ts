import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { assertApiConfig, type AppConfig } from '../core/config/config.schema.js';
import { ConsoleModule } from '../console/console.module.js';
import { ConsumerAppModule } from '../consumer-app/consumer-app.module.js';
import { DashboardModule } from '../dashboard/dashboard.module.js';
import { ConsumersModule } from '../consumers/consumers.module.js';
import { CoreModule } from '../core/core.module.js';
import { DrawsCoreModule } from '../draws/draws-core.module.js';
import { DrawsModule } from '../draws/draws.module.js';
import { HealthModule } from '../health/health.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { InvoicesModule } from '../invoices/invoices.module.js';
import { PrizesModule } from '../prizes/prizes.module.js';
import { PublicModule } from '../public/public.module.js';
import { RegistryModule } from '../registry/registry.module.js';
import { StaffModule } from '../staff/staff.module.js';

/** The API process: HTTP controllers and job producers. No queue processors live here. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    assertApiConfig(config);
    return {
      module: ApiModule,
      imports: [CoreModule.forRoot(config), CampaignsModule, DrawsCoreModule, AuthModule, IdentityModule, HealthModule, StaffModule, InvoicesModule, ConsumersModule, RegistryModule, DrawsModule, PrizesModule, PublicModule, ConsoleModule, DashboardModule, ConsumerAppModule],
    };
  }
}
