import { Module } from '@nestjs/common';
import { InstantJobs } from './instant-jobs.js';
import { InstantOutcomes } from './instant-outcomes.js';
import { InstantReadRepository } from './instant-read.repository.js';

/**
 * API side of instant draws: asking the worker for a registration's outcome, and the reads of the public
 * routes. No secret and no key here: the API refuses INSTANT_SECRET_KEY at start-up (assertApiConfig).
 */
@Module({
  providers: [InstantJobs, InstantOutcomes, InstantReadRepository],
  exports: [InstantOutcomes, InstantReadRepository],
})
export class InstantModule {}
