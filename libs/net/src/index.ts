export * from './ip-address.js';
export * from './hostname.js';
