import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCampaignFile, type CampaignDefinition } from '../../src/campaigns/campaign-definition.js';

/**
 * The Henan 2022 campaign as defined in config/campaigns/henan-2022.json (see README.md: no copy here).
 */
export const HENAN_2022_CAMPAIGN_ID = 'henan-2022';

/**
 * The path of config/campaigns/<id>.json, found by walking up from this module (so it works from seeds/
 * under ts-jest and from dist/seeds/ after the build alike). Throws when there is none.
 */
export function campaignFilePath(id: string = HENAN_2022_CAMPAIGN_ID): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'config', 'campaigns', `${id}.json`);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`campaign file config/campaigns/${id}.json not found above ${fileURLToPath(import.meta.url)}`);
}

/** The validated Henan 2022 campaign definition. */
export function loadHenan2022Campaign(): CampaignDefinition {
  return loadCampaignFile(campaignFilePath(HENAN_2022_CAMPAIGN_ID));
}
