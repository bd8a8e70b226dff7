export * from './turns.queue.js';
export * from './notifications.queue.js';
