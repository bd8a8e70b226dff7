// Runs one bot backend fake (compiled from test/fakes) in its own process for provider-overhead.mjs,
// so the fake's own work does not queue behind the provider on one event loop.
//   fake-host.mjs <compiled module path> <class name> [prepare]
// IPC: sends {ready, fake: {origin, …fields, config}}; answers 'reset' and 'stats' ({requests, handledMs}).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const [file, cls, prepare] = process.argv.slice(2);
const fake = new (await import(pathToFileURL(file).href))[cls]();
await fake.start();

/** Bench-only adjustments of a fake's default behaviour. */
const PREPARE = {
  // Answer at once: the default script types first and replies 150 ms later.
  immediate: (f) => (f.script = (a) => [{ activity: { type: 'message', text: `You said: ${String(a.text ?? '')}` } }]),
  // The same HS256 check as jsonwebtoken's, at a fraction of its cost: a real Kore answers in
  // parallel on many machines, while this fake's single event loop would queue the verifications.
  fastJwt: (f) => {
    f.jwt = {
      verify: (token, { secret }) => {
        const [h, p, sig] = token.split('.');
        const good = createHmac('sha256', secret).update(`${h}.${p}`).digest();
        const given = Buffer.from(sig ?? '', 'base64url');
        if (given.length !== good.length || !timingSafeEqual(given, good)) throw new Error('invalid signature');
        return JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
      },
    };
  },
};
if (prepare) PREPARE[prepare](fake);

let from = 0;
const fields = ['origin', 'apiKey', 'token', 'secret', 'webhookUrl', 'clientId', 'clientSecret'];
process.send({ ready: true, fake: { ...Object.fromEntries(fields.filter((k) => typeof fake[k] === 'string').map((k) => [k, fake[k]])), ...(typeof fake.config === 'function' ? { config: fake.config() } : {}) } });
process.on('message', async (m) => {
  if (m === 'reset') {
    from = fake.requests.length;
    process.send({ reset: true });
  } else if (m === 'stats') {
    const measured = fake.requests.slice(from);
    process.send({ stats: { requests: measured.length, handledMs: measured.reduce((n, r) => n + (r.handledMs ?? 0), 0) } });
  } else if (m === 'close') {
    await fake.close();
    process.exit(0);
  }
});
