import { GenesysOAuthClient } from './genesys-oauth.client.js';

/**
 * What the emulator cannot show: the exact bytes on the wire (it decodes what it gets) and what
 * happens before anything is sent. A recording `fetch` stands in for Genesys.
 */

// Genesys client ids are UUIDs; the secret has the characters oauth4webapi's own Basic would escape.
const CLIENT_ID = '7de3af06-c0b3-4f9b-af45-72f4a1403797';
const SECRET = 'Kq2-x_Yz.9wLm';

function recorder(answer: () => Response) {
  const calls: { url: string; headers: Record<string, string>; body: string }[] = [];
  const fetch = async (url: string, init: { headers?: unknown; body?: unknown }) => {
    calls.push({ url, headers: init.headers as Record<string, string>, body: String(init.body) });
    return answer();
  };
  return { calls, fetch };
}

const tokens = (body: Record<string, unknown>) => () => Response.json(body);

it('sends Basic as the Genesys SDKs do (id and secret unescaped) together with the PKCE verifier', async () => {
  const { calls, fetch } = recorder(tokens({ access_token: 'at', token_type: 'bearer', expires_in: 86399, refresh_token: 'rt' }));
  const client = new GenesysOAuthClient({ clientId: CLIENT_ID, clientSecret: SECRET, environment: 'mypurecloud.ie', fetch });
  await expect(client.exchangeCode({ code: 'c', redirectUri: 'https://gw.example/cb', codeVerifier: 'v'.repeat(43) })).resolves.toEqual({
    accessToken: 'at',
    tokenType: 'bearer',
    expiresIn: 86399,
    refreshToken: 'rt',
  });
  expect(calls).toHaveLength(1);
  expect(calls[0]!.url).toBe('https://login.mypurecloud.ie/oauth/token');
  expect(Buffer.from(calls[0]!.headers.authorization!.replace(/^Basic /, ''), 'base64').toString()).toBe(`${CLIENT_ID}:${SECRET}`);
  expect(Object.fromEntries(new URLSearchParams(calls[0]!.body))).toEqual({ grant_type: 'authorization_code', code: 'c', redirect_uri: 'https://gw.example/cb', code_verifier: 'v'.repeat(43) });
});

it('an answer it cannot use fails without the token in the error', async () => {
  const { fetch } = recorder(tokens({ access_token: 'the-access-token', expires_in: 60 }));
  const err = await new GenesysOAuthClient({ clientId: CLIENT_ID, clientSecret: SECRET, environment: 'mypurecloud.ie', fetch }).clientCredentials().catch((e: unknown) => e);
  expect(err).toMatchObject({ code: 'bad_response' });
  expect((err as Error).cause).toBeUndefined();
  expect(JSON.stringify(err) + String(err)).not.toContain('the-access-token');
});

it('never sends the secret over plain http to a host that is not loopback', async () => {
  const { calls, fetch } = recorder(tokens({}));
  const client = new GenesysOAuthClient({ clientId: CLIENT_ID, clientSecret: SECRET, baseUrl: 'http://login.example.com', fetch });
  await expect(client.clientCredentials()).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/plain http/) });
  expect(calls).toHaveLength(0);
});
