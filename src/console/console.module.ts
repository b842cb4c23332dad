import { Module } from '@nestjs/common';
import { ConsolePageController } from './console-page.controller.js';

/** The console's page (its data comes from the other modules' admin routes). */
@Module({ controllers: [ConsolePageController] })
export class ConsoleModule {}
