/** The Nest token of the shared Redis client (see RedisModule). */
export const REDIS = Symbol('REDIS');
