import { ConsumersModule } from '../consumers/consumers.module.js';
import { InvoicesModule } from '../invoices/invoices.module.js';
import { PrizesModule } from '../prizes/prizes.module.js';
import { Module } from '@nestjs/common';
import { DrawsCoreModule } from '../draws/draws-core.module.js';
import { InstantModule } from '../instant/instant.module.js';
import { InstantDaysController } from './instant-days.controller.js';
import { PublicArtifacts } from './public-artifacts.js';
import { PublicCache } from './public-cache.js';
import { PublicPageController } from './public-page.controller.js';
import { PublicRateLimitGuard } from './public-rate-limit.guard.js';
import { PublicController } from './public.controller.js';
import { PublicService } from './public.service.js';

/** What the public sees: the cached, rate-limited public API and the web page at `/`. */
@Module({
  imports: [DrawsCoreModule, PrizesModule, InvoicesModule, ConsumersModule, InstantModule],
  controllers: [PublicController, PublicPageController, InstantDaysController],
  providers: [PublicService, PublicCache, PublicRateLimitGuard, PublicArtifacts],
})
export class PublicModule {}
