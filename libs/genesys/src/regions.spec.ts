import { GENESYS_REGIONS, genesysHosts, isKnownGenesysEnvironment, normalizeGenesysEnvironment } from './regions.js';

const regions = Object.entries(GENESYS_REGIONS);

describe('GENESYS_REGIONS', () => {
  it('maps each region to a distinct environment', () => {
    expect(regions.length).toBeGreaterThanOrEqual(18);
    expect(new Set(Object.values(GENESYS_REGIONS)).size).toBe(regions.length);
    expect(GENESYS_REGIONS['us-east-1']).toBe('mypurecloud.com');
    expect(GENESYS_REGIONS['eu-west-1']).toBe('mypurecloud.ie');
    expect(GENESYS_REGIONS['us-west-2']).toBe('usw2.pure.cloud');
  });
});

describe('normalizeGenesysEnvironment', () => {
  describe.each(regions)('region %s → %s', (region, env) => {
    it.each([
      env,
      env.toUpperCase(),
      ` ${env} `,
      `${env}/`,
      `https://${env}`,
      `https://login.${env}`,
      `https://login.${env}/`,
      `https://api.${env}/api/v2/users/me`,
      `api.${env}`,
      `apps.${env}`,
      `https://apps.${env}/directory/#/person`,
      `wss://webmessaging.${env}/v1?deploymentId=abc`,
      `http://${env}:443`,
      `https://login.${env}?x=1`,
      region,
      region.toUpperCase(),
    ])('accepts %j', (input) => {
      expect(normalizeGenesysEnvironment(input)).toBe(env);
    });
  });

  it.each([
    '',
    '   ',
    'example.com',
    'purecloud.com',
    'evil.mypurecloud.com',
    'mypurecloud.com.evil.io',
    'https://evil.io/mypurecloud.com',
    'login.login.mypurecloud.com',
    'us-east-7',
    'mypurecloud',
    'https://evil.io?env=mypurecloud.com',
  ])('rejects %j', (input) => {
    expect(normalizeGenesysEnvironment(input)).toBeUndefined();
  });
});

describe('isKnownGenesysEnvironment', () => {
  it('knows environment domains only, not region ids or URLs', () => {
    for (const env of Object.values(GENESYS_REGIONS)) expect(isKnownGenesysEnvironment(env)).toBe(true);
    expect(isKnownGenesysEnvironment('eu-west-1')).toBe(false);
    expect(isKnownGenesysEnvironment('https://login.mypurecloud.ie')).toBe(false);
    expect(isKnownGenesysEnvironment('example.com')).toBe(false);
  });
});

describe('genesysHosts', () => {
  it('derives the api, login and apps hosts', () => {
    expect(genesysHosts('mypurecloud.ie')).toEqual({
      api: 'https://api.mypurecloud.ie',
      login: 'https://login.mypurecloud.ie',
      apps: 'https://apps.mypurecloud.ie',
    });
  });
});
