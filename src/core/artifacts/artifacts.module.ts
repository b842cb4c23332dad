import { Global, Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { ARTIFACT_STORE, type ArtifactStore } from './artifact-store.js';
import { DirectoryArtifactStore } from './directory-artifact-store.js';
import { createS3Client, S3ArtifactStore } from './s3-artifact-store.js';

/**
 * The artifact store, injectable everywhere as @Inject(ARTIFACT_STORE): the directory ARTIFACTS_DIR, or
 * with ARTIFACT_STORE=s3 the S3-compatible bucket S3_BUCKET (the production choice when several hosts
 * serve and write artifacts).
 */
export function createArtifactStore(config: AppConfig): ArtifactStore {
  if (config.ARTIFACT_STORE === 'directory') return new DirectoryArtifactStore(config.ARTIFACTS_DIR);
  return new S3ArtifactStore({
    client: createS3Client({
      endpoint: config.S3_ENDPOINT,
      region: config.S3_REGION,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      accessKeyId: config.S3_ACCESS_KEY_ID,
      secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    }),
    bucket: config.S3_BUCKET!, // required by the config schema when ARTIFACT_STORE=s3
    prefix: config.S3_PREFIX ?? '',
    conditionalWrites: config.S3_CONDITIONAL_WRITES,
  });
}

@Global()
@Module({
  providers: [{ provide: ARTIFACT_STORE, inject: [APP_CONFIG], useFactory: createArtifactStore }],
  exports: [ARTIFACT_STORE],
})
export class ArtifactsModule {}
