import { Global, Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { ARTIFACT_STORE, type ArtifactStore } from './artifact-store.js';
import { DirectoryArtifactStore } from './directory-artifact-store.js';

/**
 * The artifact store, injectable everywhere as @Inject(ARTIFACT_STORE): the directory ARTIFACTS_DIR. An
 * S3-compatible store would be a second ArtifactStore chosen here (not built yet).
 */
export function createArtifactStore(config: AppConfig): ArtifactStore {
  return new DirectoryArtifactStore(config.ARTIFACTS_DIR);
}

@Global()
@Module({
  providers: [{ provide: ARTIFACT_STORE, inject: [APP_CONFIG], useFactory: createArtifactStore }],
  exports: [ARTIFACT_STORE],
})
export class ArtifactsModule {}
