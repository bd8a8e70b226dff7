export * from './ip-address.js';
