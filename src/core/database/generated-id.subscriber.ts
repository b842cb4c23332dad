import { EventSubscriber, type EntitySubscriberInterface, type InsertEvent } from 'typeorm';

/**
 * TypeORM fills a generated BIGINT id from the driver's insertId as a string and skips the column's
 * transformer. Applying the transformer here gives every inserted entity the same id type as a loaded one.
 */
@EventSubscriber()
export class GeneratedIdSubscriber implements EntitySubscriberInterface {
  afterInsert(event: InsertEvent<Record<string, unknown>>): void {
    const entity = event.entity;
    if (!entity) return;
    for (const column of event.metadata.primaryColumns) {
      const transformer = column.transformer;
      const value = entity[column.propertyName];
      if (typeof value === 'string' && transformer && !Array.isArray(transformer)) entity[column.propertyName] = transformer.from(value);
    }
  }
}
