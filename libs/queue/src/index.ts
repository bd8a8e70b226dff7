export * from './queue-contracts.js';
export * from './redis-keys.js';
export * from './transcript.types.js';
export * from './turn-store.js';
