// WHAT-IF EXPERIMENT, not part of the gateway: preload with
//   npm run bench -- --node-option=--require=./scripts/bench/what-if/jwt-keyobject.cjs
// jsonwebtoken 9 verify() first tries crypto.createPublicKey(secret) for a string secret and only
// falls back to createSecretKey after that throws: ~0.29 ms of CPU per verification on this box.
// This preload hands it a cached KeyObject instead, to measure what the fix suggested in
// docs/performance.md would buy. The gateway code is not changed.
'use strict';
const { createSecretKey } = require('node:crypto');
const jwt = require(require.resolve('jsonwebtoken', { paths: [process.cwd()] }));
const original = jwt.verify;
const keys = new Map();
jwt.verify = function verifyWithKeyObject(token, secret, ...rest) {
  if (typeof secret === 'string') {
    let key = keys.get(secret);
    if (!key) {
      if (keys.size > 1000) keys.clear();
      keys.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
    }
    secret = key;
  }
  return original.call(this, token, secret, ...rest);
};
