export * from './gateway-errors.js';
