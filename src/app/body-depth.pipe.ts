import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { DomainError } from '../core/errors/domain-error.js';

/** No request body of this API is nested more than a few levels; 32 leaves ample room. */
export const MAX_BODY_DEPTH = 32;

/**
 * True when `value` has arrays/objects nested more than `max` levels deep (the body itself is level 1).
 * Iterative, so it cannot overflow the stack whatever the input.
 */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * Refuses deeply nested JSON bodies with 400 VALIDATION_FAILED before the ValidationPipe: class-transformer
 * recurses once per level and a body nested some thousands of levels deep (well within the body limit)
 * overflowed the stack, a 500.
 */
@Injectable()
export class BodyDepthPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body' && nestedDeeperThan(value, MAX_BODY_DEPTH)) {
      throw DomainError.badRequest('VALIDATION_FAILED', `The body is nested more than ${MAX_BODY_DEPTH} levels deep`, { field: 'body' });
    }
    return value;
  }
}
