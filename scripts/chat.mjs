#!/usr/bin/env node
// Terminal client that plays Genesys Cloud's Bot Connector v1 against the running gateway.
//   npm run chat                                   interactive (type text, or a number to click a choice)
//   npm run chat -- --say "hi" --say 2             scripted: sends the inputs in order, then exits
//   printf 'hi\n2\n' | npm run chat                reads lines from stdin when it is not a TTY
//   npm run chat -- --via-emulator --flow demo-v2  goes through the Genesys emulator (npm run emulator) instead:
//                                                  the emulator's Architect flow calls the gateway, as Genesys would
// Options (flags or env): --url (CHAT_URL, default http://127.0.0.1:$PORT|3000), --channel (CHAT_CHANNEL, demo),
// --channels-file (CHANNELS_FILE, config/channels.yaml), --lang (CHAT_LANG, the bot's first language).
// Emulator mode: --via-emulator [url] (url default CHAT_EMULATOR or http://127.0.0.1:9555), --flow (CHAT_FLOW, demo-v1),
// --wait ms (how long to wait for asynchronous v2 messages after a turn, default 10000).
// Exit code: 0 when the conversation completes or the inputs run out, 1 on Failed or an HTTP/network error
// in scripted mode, 2 on bad options.
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code) => (s) => (color ? `\x1b[${code}m${s}\x1b[0m` : String(s));
const dim = paint('2'), bold = paint('1'), cyan = paint('36'), green = paint('32'), red = paint('31'), yellow = paint('33');

function die(message) {
  console.error(red(`chat: ${message}`));
  process.exit(2);
}

// ---- options and channel ----------------------------------------------------------------------
/** `--via-emulator [url]`: the URL is optional, which parseArgs cannot express, so it is taken out first. */
function takeViaEmulator(argv) {
  let url;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--via-emulator') {
      const next = argv[i + 1];
      const hasUrl = next !== undefined && /^https?:\/\//i.test(next);
      url = hasUrl ? next : '';
      argv.splice(i, hasUrl ? 2 : 1);
      i--;
    } else if (a.startsWith('--via-emulator=')) {
      url = a.slice('--via-emulator='.length);
      argv.splice(i, 1);
      i--;
    }
  }
  return url;
}
const args = process.argv.slice(2);
const viaEmulator = takeViaEmulator(args);
const emulatorUrl = viaEmulator === undefined ? undefined : (viaEmulator || process.env.CHAT_EMULATOR || 'http://127.0.0.1:9555').replace(/\/+$/, '');

let opts;
try {
  opts = parseArgs({
    args,
    options: {
      url: { type: 'string', default: process.env.CHAT_URL ?? `http://127.0.0.1:${process.env.PORT || 3000}` },
      channel: { type: 'string', default: process.env.CHAT_CHANNEL ?? 'demo' },
      'channels-file': { type: 'string', default: process.env.CHANNELS_FILE ?? 'config/channels.yaml' },
      lang: { type: 'string', default: process.env.CHAT_LANG },
      say: { type: 'string', multiple: true },
      flow: { type: 'string' },
      wait: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (err) {
  die(err.message);
}
if (opts.help) {
  console.log('usage: node scripts/chat.mjs [--url URL] [--channel ID] [--channels-file PATH] [--lang xx-yy] [--say TEXT]...');
  console.log('       node scripts/chat.mjs --via-emulator [URL] [--flow demo-v1|demo-v2] [--wait MS] [--say TEXT]...');
  process.exit(0);
}
if (!emulatorUrl && (opts.flow !== undefined || opts.wait !== undefined)) die('--flow and --wait need --via-emulator');
const flowId = opts.flow ?? process.env.CHAT_FLOW ?? 'demo-v1';
const asyncWaitMs = Number(opts.wait ?? 10000);
if (!Number.isInteger(asyncWaitMs) || asyncWaitMs < 0) die('--wait must be a number of milliseconds');

function loadChannel(file, id) {
  let doc;
  try {
    doc = parseYaml(readFileSync(resolve(file), 'utf8'));
  } catch (err) {
    die(`cannot read channels file ${file}: ${err.message}`);
  }
  const channel = (doc?.channels ?? []).find((c) => c?.id === id);
  if (!channel) die(`channel "${id}" not found in ${file}`);
  const bot = channel.bots?.[0];
  const secret = channel.app?.clientSecrets?.[0];
  if (!bot || !channel.app?.clientId || !secret) die(`channel "${id}" needs bots[0], app.clientId and app.clientSecrets[0]`);
  return { channel, bot, clientId: channel.app.clientId, secret };
}

// In emulator mode the emulator's flow holds the bot and the credential: no channel is needed here.
const { channel, bot, clientId, secret } = emulatorUrl ? {} : loadChannel(opts['channels-file'], opts.channel);
const handoffIntent = channel?.handoff?.intent ?? 'AgentHandoff';
const language = (opts.lang ?? bot?.languages?.[0] ?? channel?.defaultLanguage ?? 'en-us').toLowerCase();
const endpoint = emulatorUrl ? undefined : `${opts.url.replace(/\/+$/, '')}/genesys/${encodeURIComponent(channel.id)}/botconnector`;

// ---- the Genesys side: JWT credential and request body ---------------------------------------
const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
function signJwt(payload, key) {
  const unsigned = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(payload)}`;
  return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
}
const authorization = emulatorUrl ? undefined : `bearer ${signJwt({ appId: clientId, iat: Math.floor(Date.now() / 1000) }, secret)}`;

const session = { id: randomUUID(), conversationId: randomUUID(), turns: 0 };
/** Choices offered by the last response, numbered across all its messages. */
let choices = [];

function choiceFor(line) {
  const n = /^\d+$/.test(line) ? Number(line) : 0;
  return n >= 1 && n <= choices.length ? choices[n - 1] : undefined;
}

function inputFor(line) {
  const choice = choiceFor(line);
  if (!choice) return { type: 'Text', text: line };
  const { type, text, payload } = choice;
  return { type: 'Structured', text, content: [{ contentType: 'ButtonResponse', buttonResponse: { type, text, payload } }] };
}

async function sendTurn(line) {
  const body = {
    botId: bot.id,
    botVersion: String(bot.versions?.[0] ?? '1.0'),
    botSessionId: session.id,
    messageId: randomUUID(),
    inputMessage: inputFor(line),
    languageCode: language,
    botSessionTimeout: 4320,
    genesysConversationId: session.conversationId,
    chatBot: { id: bot.id, name: bot.name ?? bot.id },
    ...(session.turns === 0 ? { parameters: {} } : {}),
  };
  session.turns++;
  const started = Date.now();
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization, 'inin-correlation-id': randomUUID() },
    body: JSON.stringify(body),
  });
  const raw = await res.text();
  const ms = Date.now() - started;
  if (!res.ok) return { error: `HTTP ${res.status} ${res.statusText} (${ms} ms)\n${raw}` };
  try {
    return { reply: JSON.parse(raw), ms };
  } catch {
    return { error: `HTTP ${res.status}, body is not JSON (${ms} ms)\n${raw}` };
  }
}

// ---- printing ---------------------------------------------------------------------------------
const BOT = cyan('bot ›');
const PAD = '      ';

function addChoice(type, text, payload) {
  choices.push({ type, text, payload });
  return `${bold(`[${choices.length}]`)} ${text}`;
}

function printAction(action, indent) {
  if (action?.type === 'Link') console.log(`${indent}↗ ${action.text}: ${action.url}`);
  else if (action?.type === 'Postback') console.log(`${indent}${addChoice('Button', action.text, action.payload)}`);
}

function printCard(card, indent) {
  console.log(`${indent}${bold(card.title ?? '(untitled card)')}`);
  if (card.description) console.log(`${indent}${card.description}`);
  if (card.image) console.log(`${indent}${dim(`🖼  ${card.image}`)}`);
  if (card.video) console.log(`${indent}${dim(`🎞  ${card.video}`)}`);
  if (card.defaultAction) {
    const d = card.defaultAction;
    if (d.type === 'Link') console.log(`${indent}${dim(`(tap card) ↗ ${d.url}`)}`);
    else printAction(d, `${indent}(tap card) `);
  }
  for (const action of card.actions ?? []) printAction(action, indent);
}

function printMessage(msg) {
  if (msg.text) console.log(`${BOT} ${msg.text.replace(/\n/g, `\n${PAD}`)}`);
  else if (!msg.content?.length) console.log(`${BOT} ${dim(`(empty ${msg.type ?? ''} message)`)}`);
  for (const item of msg.content ?? []) {
    switch (item.contentType) {
      case 'QuickReply':
        console.log(`${PAD}${addChoice('QuickReply', item.quickReply?.text, item.quickReply?.payload)}`);
        break;
      case 'Attachment': {
        const a = item.attachment ?? {};
        const name = a.filename ? ` ${a.filename}` : '';
        console.log(`${msg.text ? PAD : `${BOT} `}📎 ${a.mediaType ?? 'File'}${name}  ${a.url ?? ''}`);
        break;
      }
      case 'Card':
        printCard(item.card ?? {}, PAD);
        break;
      case 'Carousel': {
        const cards = item.carousel?.cards ?? [];
        cards.forEach((card, i) => {
          console.log(`${PAD}${dim(`── card ${i + 1}/${cards.length} ──`)}`);
          printCard(card, `${PAD}  `);
        });
        break;
      }
      default:
        console.log(`${PAD}${dim(`(unsupported content ${item.contentType}: ${JSON.stringify(item)})`)}`);
    }
  }
}

/** Prints a Bot Connector response; returns the exit code when the session is over, else undefined. */
function printReply(reply, ms) {
  choices = [];
  const messages = reply.replyMessages ?? reply.replymessages ?? [];
  for (const msg of messages) printMessage(msg);
  const state = String(reply.botState ?? '');
  const meta = [state || '(no botState)', reply.intent && `intent ${reply.intent}`, reply.confidence != null && `confidence ${reply.confidence}`, `${ms} ms`];
  console.log(dim(`      · ${meta.filter(Boolean).join(' · ')}`));
  const params = reply.parameters ?? {};
  if (/^complete$/i.test(state)) {
    const pick = (...keys) => keys.find((k) => params[k] != null && params[k] !== '');
    const reasonKey = pick('reason', 'handoffReason');
    const queueKey = pick('queue', 'queueName', 'handoffQueue');
    if (reply.intent === handoffIntent || reasonKey || queueKey) {
      const bits = [`intent ${reply.intent ?? '?'}`, reasonKey && `reason ${params[reasonKey]}`, queueKey && `queue ${params[queueKey]}`];
      console.log(green(`— conversation handed to an agent (${bits.filter(Boolean).join(', ')})`));
    } else {
      console.log(green(`— conversation ended${reply.intent ? ` (intent ${reply.intent})` : ''}`));
    }
    for (const [k, v] of Object.entries(params)) {
      if (k !== reasonKey && k !== queueKey) console.log(`  ${k}: ${String(v).replace(/\n/g, '\n    ')}`);
    }
    return 0;
  }
  if (/^failed$/i.test(state)) {
    const e = reply.errorInfo ?? {};
    console.log(red(`— bot session failed: ${e.errorCode ?? '(no errorCode)'}: ${e.errorMessage ?? '(no errorMessage)'}`));
    return 1;
  }
  if (!/^moredata$/i.test(state)) console.log(yellow(`  (unexpected botState ${JSON.stringify(reply.botState)})`));
  return undefined;
}

// ---- input loop -------------------------------------------------------------------------------
/** Sends one line; returns an exit code when the run should stop. */
async function turn(line, scripted) {
  const choice = choiceFor(line);
  if (scripted) console.log(`${yellow('you ›')} ${line}${choice ? dim(`  → ${choice.text}`) : ''}`);
  else if (choice) console.log(dim(`      → ${choice.text}`));
  let result;
  try {
    result = await sendTurn(line);
  } catch (err) {
    result = { error: `request to ${endpoint} failed: ${err.cause?.message ?? err.message}` };
  }
  if (result.error) {
    console.log(red(result.error));
    return scripted ? 1 : undefined;
  }
  return printReply(result.reply, result.ms);
}

/** Reads the customer's lines (scripted --say, piped stdin, or a prompt) and hands each to `send`. */
async function converse(header, send) {
  const interactive = !opts.say && Boolean(process.stdin.isTTY);
  for (const line of header(interactive)) console.log(dim(line));
  if (opts.say) {
    for (const line of opts.say) {
      const code = await send(line, true);
      if (code !== undefined) return code;
    }
    return 0;
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive });
  rl.setPrompt(yellow('you › '));
  if (interactive) rl.prompt();
  for await (const raw of rl) {
    const line = raw.trim();
    if (line === '/quit' || line === '/exit') break;
    if (line) {
      const code = await send(line, !interactive);
      if (code !== undefined) {
        rl.close();
        return code;
      }
    }
    if (interactive) rl.prompt();
  }
  return 0;
}

const HINT = '  ·  type a message, a number to pick a choice, Ctrl-D to quit';

function main() {
  return converse(
    (interactive) => [`${bot.name ?? bot.id} (${bot.id} v${bot.versions?.[0]}, ${language}) on channel ${channel.id} → ${endpoint}`, `session ${session.id}${interactive ? HINT : ''}`],
    turn,
  );
}

// ---- emulator mode: the Genesys emulator's Architect flow talks to the gateway -----------------
async function emulatorApi(method, path, body) {
  const res = await fetch(`${emulatorUrl}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const raw = await res.text();
  let data;
  try {
    data = raw ? JSON.parse(raw) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) throw new Error(`${method} ${emulatorUrl}${path}: HTTP ${res.status} ${data?.message ?? raw}`);
  return data;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The emulator-mode conversation: the last view seen, how many of its messages were printed, the
 * gateway behind the flow (null: not found) and the last cause explained.
 */
const emu = { conv: undefined, printed: 0, gateway: undefined, explained: undefined };

/** Prints the bot messages not shown yet; returns how many there were. */
function printNewBotMessages(view) {
  const fresh = view.messages.slice(emu.printed).filter((m) => m.from === 'bot');
  emu.printed = view.messages.length;
  if (fresh.length) choices = [];
  for (const m of fresh) {
    printMessage(m);
    if (m.via === 'outgoing') console.log(dim('      · async, via the outgoing messages API'));
  }
  return fresh.length;
}

/** v2: replies may come later through the outgoing API, so watch the conversation for a while. */
async function waitForAsync(view, sawReply) {
  const QUIET_MS = 1500;
  const deadline = Date.now() + asyncWaitMs;
  let lastNew = Date.now();
  while (view.state === 'bot' && Date.now() < deadline && !(sawReply && Date.now() - lastNew >= QUIET_MS)) {
    await sleep(250);
    view = await emulatorApi('GET', `/emulator/conversations/${view.id}`);
    if (printNewBotMessages(view) > 0) {
      sawReply = true;
      lastNew = Date.now();
    }
  }
  if (view.state === 'bot' && !sawReply) {
    console.log(dim(`      · no reply within ${asyncWaitMs} ms`));
    await explainMissingReply(view);
  }
  return view;
}

/** The gateway's base URL and channel id, read from the flow's webhook URL (…/genesys/<channel>/dbc). */
async function gatewayOfFlow() {
  if (emu.gateway !== undefined) return emu.gateway;
  const flows = (await emulatorApi('GET', '/emulator/flows').catch(() => undefined))?.entities ?? [];
  const m = /^(https?:\/\/.+?)\/genesys\/([^/]+)\/dbc\b/.exec(flows.find((f) => f.id === flowId)?.url ?? '');
  emu.gateway = m ? { baseUrl: m[1], channelId: decodeURIComponent(m[2]) } : null;
  return emu.gateway;
}

/**
 * A v2 reply that does not come is most often waiting in the gateway's outbox for a Genesys token
 * (the channel was never authorized). The gateway's development endpoint says so; print the cause
 * and the command that fixes it, once per cause.
 */
async function explainMissingReply(view) {
  const gateway = await gatewayOfFlow();
  if (!gateway) return;
  let status;
  try {
    const res = await fetch(`${gateway.baseUrl}/dev/channels/${encodeURIComponent(gateway.channelId)}/sessions/${encodeURIComponent(view.botSessionId)}/outbox`, { signal: AbortSignal.timeout(3000) });
    // 404: a production gateway (no development endpoints) or an unknown channel; nothing to add.
    if (!res.ok) return;
    status = await res.json();
  } catch {
    return;
  }
  if (!status.blockedBy || status.waiting === 0) return;
  const cause = `${status.blockedBy.reason}: ${status.waiting} repl${status.waiting === 1 ? 'y waits' : 'ies wait'} in the gateway's outbox`;
  console.log(yellow(`      · ${cause}`));
  if (emu.explained !== status.blockedBy.reason) console.log(yellow(`        fix: ${status.blockedBy.fix}; the waiting replies are then sent`));
  emu.explained = status.blockedBy.reason;
}

/** Prints where the flow sent the conversation; returns the exit code once it left the bot. */
function printFlowState(view) {
  if (view.state === 'bot') return undefined;
  const params = Object.entries(view.parameters ?? {});
  if (view.failure) console.log(red(`— bot failed: ${view.failure.errorType}: ${view.failure.errorMessage || '(no errorMessage)'}`));
  if (view.state === 'agent') console.log(green(`— conversation handed to an agent (queue ${view.queue}${view.intent ? `, intent ${view.intent}` : ''})`));
  else if (view.state === 'ended') console.log(green(`— conversation ended${view.intent ? ` (intent ${view.intent})` : ''}`));
  else console.log(red('— conversation disconnected on the failure path'));
  for (const [k, v] of params) console.log(`  ${k}: ${String(v).replace(/\n/g, '\n    ')}`);
  return view.failure ? 1 : 0;
}

async function emulatorTurn(line, scripted) {
  const choice = choiceFor(line);
  if (scripted) console.log(`${yellow('you ›')} ${line}${choice ? dim(`  → ${choice.text}`) : ''}`);
  else if (choice) console.log(dim(`      → ${choice.text}`));
  const input = choice ? { [choice.type === 'Button' ? 'button' : 'quickReply']: { text: choice.text, payload: choice.payload } } : { text: line };
  const started = Date.now();
  let view;
  try {
    view = emu.conv
      ? await emulatorApi('POST', `/emulator/conversations/${emu.conv.id}/messages`, input)
      : await emulatorApi('POST', '/emulator/conversations', { flowId, ...input });
  } catch (err) {
    console.log(red(err.cause?.message ? `${err.message} (${err.cause.message})` : err.message));
    return scripted ? 1 : undefined;
  }
  if (!emu.conv) console.log(dim(`conversation ${view.id} · bot session ${view.botSessionId} · ${view.protocol}`));
  const shown = printNewBotMessages(view);
  console.log(dim(`      · ${view.state === 'bot' ? 'bot session open' : view.state} · ${Date.now() - started} ms`));
  if (view.protocol === 'v2' && view.state === 'bot') view = await waitForAsync(view, shown > 0);
  emu.conv = view;
  return printFlowState(view);
}

function emulatorMain() {
  return converse((interactive) => [`flow ${flowId} through the Genesys emulator at ${emulatorUrl}${interactive ? HINT : ''}`], emulatorTurn);
}

process.exitCode = emulatorUrl ? await emulatorMain() : await main();
process.exit(process.exitCode);
