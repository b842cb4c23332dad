import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** Read-only queries over the consumers table for other modules, by use case. Plain reads, safe to repeat. */
@Injectable()
export class ConsumerReadRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Real names by consumer id, for masking (the winner list). Only the name: no phone, identity or bank column. */
  async realNamesOf(ids: string[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    if (ids.length === 0) return out;
    const rows = await this.db.query(`SELECT id, real_name FROM consumers WHERE id IN (${ids.map(() => '?').join(',')})`, ids);
    for (const r of rows) out.set(String(r.id), r.real_name);
    return out;
  }
}
