export * from './queue-contracts.js';
export * from './redis-keys.js';
export * from './transcript.types.js';
export * from './turn-store.js';
export * from './outbox-store.js';
export * from './notification.types.js';
export * from './notification-store.js';
