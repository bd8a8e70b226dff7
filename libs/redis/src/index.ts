export * from './redis-connection.js';
export * from './redis.module.js';
export * from './redis-lock.js';
export * from './lua-script.js';
export * from './redis-health.indicator.js';
export * from './redis-topology.js';
export * from './scan.js';
