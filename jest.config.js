export default {
  "testEnvironment": "node",
  "roots": [
    "<rootDir>/apps",
    "<rootDir>/libs",
    "<rootDir>/test"
  ],
  "testRegex": ".*\\.(spec|e2e-spec|medium-spec)\\.ts$",
  "moduleFileExtensions": [
    "ts",
    "js",
    "json"
  ],
  "extensionsToTreatAsEsm": [
    ".ts"
  ],
  "moduleNameMapper": {
    "^@app/privacy$": "<rootDir>/libs/privacy/src/index.ts",
    "^@app/privacy/(.*?)(\\.js)?$": "<rootDir>/libs/privacy/src/$1",
    "^@app/net$": "<rootDir>/libs/net/src/index.ts",
    "^@app/net/(.*?)(\\.js)?$": "<rootDir>/libs/net/src/$1",
    "^@app/secrets$": "<rootDir>/libs/secrets/src/index.ts",
    "^@app/secrets/(.*?)(\\.js)?$": "<rootDir>/libs/secrets/src/$1",
    "^@app/genesys$": "<rootDir>/libs/genesys/src/index.ts",
    "^@app/genesys/(.*?)(\\.js)?$": "<rootDir>/libs/genesys/src/$1",
    "^@app/admin-auth$": "<rootDir>/libs/admin-auth/src/index.ts",
    "^@app/admin-auth/(.*?)(\\.js)?$": "<rootDir>/libs/admin-auth/src/$1",
    "^@app/genesys-api$": "<rootDir>/libs/genesys-api/src/index.ts",
    "^@app/genesys-api/(.*?)(\\.js)?$": "<rootDir>/libs/genesys-api/src/$1",
    "^@app/genesys-oauth$": "<rootDir>/libs/genesys-oauth/src/index.ts",
    "^@app/genesys-oauth/(.*?)(\\.js)?$": "<rootDir>/libs/genesys-oauth/src/$1",
    "^@app/genesys-jwt$": "<rootDir>/libs/genesys-jwt/src/index.ts",
    "^@app/genesys-jwt/(.*?)(\\.js)?$": "<rootDir>/libs/genesys-jwt/src/$1",
    "^@app/store$": "<rootDir>/libs/store/src/index.ts",
    "^@app/store/(.*?)(\\.js)?$": "<rootDir>/libs/store/src/$1",
    "^@app/queue$": "<rootDir>/libs/queue/src/index.ts",
    "^@app/queue/(.*?)(\\.js)?$": "<rootDir>/libs/queue/src/$1",
    "^@app/channels$": "<rootDir>/libs/channels/src/index.ts",
    "^@app/channels/(.*?)(\\.js)?$": "<rootDir>/libs/channels/src/$1",
    "^@app/bot-providers$": "<rootDir>/libs/bot-providers/src/index.ts",
    "^@app/bot-providers/(.*?)(\\.js)?$": "<rootDir>/libs/bot-providers/src/$1",
    "^@app/config$": "<rootDir>/libs/config/src/index.ts",
    "^@app/config/(.*?)(\\.js)?$": "<rootDir>/libs/config/src/$1",
    "^@app/errors$": "<rootDir>/libs/errors/src/index.ts",
    "^@app/errors/(.*?)(\\.js)?$": "<rootDir>/libs/errors/src/$1",
    "^@app/observability$": "<rootDir>/libs/observability/src/index.ts",
    "^@app/observability/(.*?)(\\.js)?$": "<rootDir>/libs/observability/src/$1",
    "^@app/redis$": "<rootDir>/libs/redis/src/index.ts",
    "^@app/redis/(.*?)(\\.js)?$": "<rootDir>/libs/redis/src/$1",
    "^(\\.{1,2}/.*)\\.js$": "$1"
  },
  "testTimeout": 60000,
  "globalSetup": "<rootDir>/test/support/global-setup.mjs",
  "globalTeardown": "<rootDir>/test/support/global-teardown.mjs",
  "reporters": ["default", "<rootDir>/test/support/summary-reporter.cjs"],
  "transform": {
    "^.+\\.ts$": [
      "ts-jest",
      {
        "useESM": true,
        "tsconfig": "<rootDir>/tsconfig.json"
      }
    ]
  }
};
