/**
 * `npm run admin -- <command>`: manage console users and API keys in the deployment's Redis
 * (REDIS_URL, REDIS_PREFIX). Passwords are prompted without echo, or read from stdin with
 * --password-stdin; API keys are printed once.
 */
import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { AdminAuthError, type AdminActor } from '@app/admin-auth';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AdminSessionsStore, AdminUsersStore, AuditLog, StoreModule, storeOptionsFrom } from '@app/store';
import { GatewayError } from '@app/errors';
import { SharedConfig, loadIngressConfig, validateEnv, type IngressConfig } from '@app/config';
import { REDIS_CLIENT, RedisModule, waitUntilReady } from '@app/redis';
import type { Redis } from 'ioredis';
import { ingressInfrastructure } from '../ingress.module.js';
import { GenesysOAuthService } from '../oauth/genesys-oauth.service.js';

const USAGE = `usage: npm run admin -- <command>
  create-user <username> [--password-stdin]   add a console user (password: 12+ characters)
  set-password <username> [--password-stdin]  change a user's password and end their sessions
  delete-user <username>                      remove a user and end their sessions
  list-users
  create-api-key <name>                       print a new API key for scripts (shown once)
  list-api-keys
  revoke-api-key <id>
  authorize <channelId>                       connect a channel to Genesys (OAuth code grant); against the
                                              emulator (npm run emulator) it completes at once, else it
                                              prints the URL to open in a browser`;

const CLI: AdminActor = { kind: 'cli', name: `cli:${process.env.USER ?? 'unknown'}` };

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  const ask = (q: string) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
      // Echo nothing while the password is typed.
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
        if (s.includes(q)) process.stdout.write(q);
      };
      rl.question(q, (answer) => {
        rl.close();
        process.stdout.write('\n');
        resolve(answer);
      });
    });
  const first = await ask('Password: ');
  const again = await ask('Repeat password: ');
  if (first !== again) throw new Error('the passwords differ');
  return first;
}

/** The same Redis connection and stores the ingress uses, without the HTTP side. */
@Module({})
class AdminCliModule {
  static register(config: SharedConfig): DynamicModule {
    return { module: AdminCliModule, imports: [RedisModule.forRoot({ topology: config.redisTopology, name: 'admin-cli' }), StoreModule.forRoot(storeOptionsFrom(config))] };
  }
}

/**
 * The ingress's OAuth service over the ingress's own infrastructure, so the CLI authorizes exactly
 * as the console's button does (same state store, redirect URI, token exchange and checks).
 */
@Module({})
class AuthorizeCliModule {
  static register(config: IngressConfig): DynamicModule {
    return { module: AuthorizeCliModule, imports: ingressInfrastructure(config), providers: [GenesysOAuthService] };
  }
}

/**
 * Starts the code grant as the console's "Authorize" does. An org that approves without a login
 * page (the emulator) redirects straight to the callback, which is finished here; otherwise the
 * URL is printed for a browser, and the running gateway's callback finishes it.
 */
async function authorize(channelId: string | undefined): Promise<number> {
  if (!channelId) throw new Error(`authorize needs a channel id\n${USAGE}`);
  const config = loadIngressConfig(process.env);
  const app = await NestFactory.createApplicationContext(AuthorizeCliModule.register(config), { logger: false });
  try {
    // The ingress's connections fail fast instead of queueing commands: wait for the first one.
    await waitUntilReady(app.get<Redis>(REDIS_CLIENT));
    const oauth = app.get(GenesysOAuthService);
    const audit = app.get(AuditLog);
    const url = await oauth.authorizeUrl(channelId, CLI.name).catch((e: unknown) => {
      // The channels file reaches Redis when the gateway starts; a first run may not have happened yet.
      if (e instanceof GatewayError && e.code === 'channel_not_found') throw new Error(`${e.message} in Redis; the gateway loads ${config.CHANNELS_FILE} when it starts ("npm start"), then run this again`);
      throw e;
    });
    await audit.record(CLI, 'channel.oauth.authorize', `channel:${channelId}`);
    const at = new URL(url);
    let res: Response;
    try {
      res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    } catch (e) {
      throw new Error(`could not reach Genesys at ${at.origin} (${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}); is the emulator running ("npm run emulator")?`);
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location?.startsWith(oauth.redirectUri)) {
      const outcome = await oauth.callback(Object.fromEntries(new URL(location).searchParams));
      await audit.record(CLI, outcome.ok ? 'channel.oauth.connected' : 'channel.oauth.failed', `channel:${channelId}`, outcome.ok ? undefined : { reason: outcome.title });
      (outcome.ok ? process.stdout : process.stderr).write(`${outcome.title}: ${outcome.message}\n`);
      return outcome.ok ? 0 : 1;
    }
    process.stdout.write(`Open this URL in a browser, sign in to Genesys Cloud and approve; the gateway (${oauth.redirectUri}) finishes the connection:\n${url}\n`);
    return 0;
  } finally {
    await app.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, arg, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  if (command === 'authorize') return authorize(arg);
  const config = validateEnv(SharedConfig, process.env);
  const app = await NestFactory.createApplicationContext(AdminCliModule.register(config), { logger: false });
  const users = app.get(AdminUsersStore);
  // Only ends sessions here, so the lifetime it would give new ones does not matter.
  const sessions = app.get(AdminSessionsStore);
  const audit = app.get(AuditLog);
  const need = (what: string) => {
    if (!arg) throw new Error(`${command} needs ${what}\n${USAGE}`);
    return arg;
  };
  try {
    switch (command) {
      case 'create-user': {
        const username = need('a username');
        const user = await users.createUser(username, await readPassword(rest.includes('--password-stdin')));
        await audit.record(CLI, 'user.create', `user:${user.username}`);
        process.stdout.write(`user "${user.username}" created\n`);
        return 0;
      }
      case 'set-password': {
        const username = need('a username');
        await users.setPassword(username, await readPassword(rest.includes('--password-stdin')));
        // A session someone took over must not outlive the password change that was meant to stop them.
        const ended = await sessions.destroyAllOf(username);
        await audit.record(CLI, 'user.set_password', `user:${username}`, { sessionsEnded: ended });
        process.stdout.write(`password of "${username}" changed (${ended} session(s) ended)\n`);
        return 0;
      }
      case 'delete-user': {
        const username = need('a username');
        if (!(await users.deleteUser(username))) throw new AdminAuthError('not_found', `no user "${username}"`);
        const ended = await sessions.destroyAllOf(username);
        await audit.record(CLI, 'user.delete', `user:${username}`, { sessionsEnded: ended });
        process.stdout.write(`user "${username}" deleted (${ended} session(s) ended)\n`);
        return 0;
      }
      case 'list-users':
        for (const u of await users.listUsers()) process.stdout.write(`${u.username}\tcreated ${u.createdAt}\n`);
        return 0;
      case 'create-api-key': {
        const name = need('a name');
        const { key, record } = await users.createApiKey(name);
        await audit.record(CLI, 'api_key.create', `api_key:${record.id}`, { name: record.name });
        process.stdout.write(`API key "${record.name}" (id ${record.id}); shown once, keep it secret:\n${key}\n`);
        return 0;
      }
      case 'list-api-keys':
        for (const k of await users.listApiKeys()) process.stdout.write(`${k.id}\t${k.name}\tcreated ${k.createdAt}\n`);
        return 0;
      case 'revoke-api-key': {
        const id = need('an API key id');
        if (!(await users.revokeApiKey(id))) throw new AdminAuthError('not_found', `no API key "${id}"`);
        await audit.record(CLI, 'api_key.revoke', `api_key:${id}`);
        process.stdout.write(`API key ${id} revoked\n`);
        return 0;
      }
      default:
        process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
        return 2;
    }
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`admin: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
