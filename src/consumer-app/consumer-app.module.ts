import { Module } from '@nestjs/common';
import { ConsumerAppPageController } from './consumer-app-page.controller.js';

/** The consumers' web app page at /app (its data comes from the consumer API routes of the other modules). */
@Module({ controllers: [ConsumerAppPageController] })
export class ConsumerAppModule {}
