import { Injectable } from '@nestjs/common';
import type { BackendCallContext, BotCallContext, BotProvider, ProbeReport } from '../bot-provider.interface.js';
import type { BotResult, CanonicalTurn } from '../canonical.types.js';
import { BackendClient, throwForStatus } from '../kit/backend-client.js';
import { sessionKey, userText } from '../kit/content.js';
import { typedConfig } from '../kit/provider-config.js';
import { RASA_CONFIG_SPEC } from './rasa.config.js';
import { mapRasaAnswer } from './rasa.mapping.js';

const WHAT = 'Rasa';
const REST_PATH = '/webhooks/rest/webhook';
/** Sender ids become tracker keys in Rasa's store: keep them short and plain. */
const SENDER = { prefix: 'gc-', maxLength: 128, pattern: /^[\w.:@-]+$/ };

/**
 * A Rasa assistant through its REST channel (bot-backends §3): one POST per turn, answered with
 * every utterance of the turn once Rasa has run its actions. Rasa keeps the conversation (tracker)
 * per sender id, so the gateway keeps no state of its own.
 */
@Injectable()
export class RasaBotProvider implements BotProvider {
  readonly name = 'rasa';
  readonly configSpec = RASA_CONFIG_SPEC;

  constructor(private readonly client: BackendClient) {}

  async handleTurn(turn: CanonicalTurn, ctx: BotCallContext): Promise<BotResult> {
    const config = typedConfig(RASA_CONFIG_SPEC, ctx.config);
    const body = {
      sender: sessionKey(turn.session.id, SENDER),
      message: userText(turn.input),
      metadata: {
        genesys: {
          conversationId: turn.session.genesysConversationId,
          language: turn.language,
          parameters: turn.session.parameters,
          ...(turn.input.attachments.length ? { attachments: turn.input.attachments } : {}),
        },
      },
    };
    const answer = await this.client.json({ method: 'POST', url: config.url, headers: { ...(config.headers ?? {}) }, body, signal: ctx.signal, timeoutMs: ctx.timeoutMs, what: WHAT });
    return mapRasaAnswer(answer);
  }

  /**
   * Rasa's server greets a GET on its root, which runs no conversation: that proves the server is
   * reachable and (through a proxy) that the headers or the URL's token are accepted.
   */
  async probe(ctx: BackendCallContext): Promise<ProbeReport> {
    const config = typedConfig(RASA_CONFIG_SPEC, ctx.config);
    const url = this.client.url(config.url, WHAT);
    const onRest = url.pathname.replace(/\/+$/, '').endsWith(REST_PATH);
    // Keep a path prefix (a proxy mounting Rasa under /rasa) and the query (a token the proxy checks).
    const root = new URL(url);
    root.pathname = onRest ? `${url.pathname.replace(/\/+$/, '').slice(0, -REST_PATH.length)}/` : '/';
    const res = await this.client.request({ method: 'GET', url: root, headers: { ...(config.headers ?? {}), accept: 'text/plain, application/json' }, signal: ctx.signal, timeoutMs: ctx.timeoutMs, what: WHAT });
    const warnings: NonNullable<ProbeReport['warnings']> = [];
    if (!onRest) {
      warnings.push({
        problem: `the URL does not end with ${REST_PATH}, the path of Rasa's REST channel`,
        fix: `point provider.config.url at https://<your Rasa server>${REST_PATH} and enable the channel with "rest:" in Rasa's credentials.yml`,
      });
    }
    if (res.status === 404 || res.status === 405) {
      warnings.push({
        problem: `the server root answered HTTP ${res.status}, so the credentials could not be checked without running a conversation`,
        fix: 'let GET / through to Rasa in your proxy (it answers a greeting and runs nothing), or check the bot with a test conversation (npm run chat)',
      });
      return { detail: `${WHAT} is reachable (HTTP ${res.status} at the server root)`, warnings };
    }
    throwForStatus(res, WHAT);
    const greeting = res.text.replace(/[^\x20-\x7e]/g, '').trim().slice(0, 80);
    const detail = /rasa/i.test(greeting) ? `${WHAT} answered at its root: "${greeting}"` : `the server answered HTTP ${res.status} at its root, but not with Rasa's greeting (a proxy in front of it?)`;
    return warnings.length ? { detail, warnings } : { detail };
  }
}
