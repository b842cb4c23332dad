import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** Read-only queries over the campaigns table, by use case. Plain reads, safe to repeat. */
@Injectable()
export class CampaignReadRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The stored names of campaigns (for draws of a campaign no longer in CAMPAIGNS_DIR). */
  async storedNamesOf(ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (ids.length === 0) return out;
    const rows = await this.db.query(`SELECT id, name FROM campaigns WHERE id IN (${ids.map(() => '?').join(',')})`, ids);
    for (const r of rows) out.set(String(r.id), r.name);
    return out;
  }
}
