import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ChannelConfigError, parseChannel } from './channel.schema.js';
import type { Channel } from './channel.types.js';
import type { BotProviderRules } from './provider-rules.js';

/** Reads CHANNELS_FILE (YAML or JSON) and validates every channel; any problem stops the start. */
export async function loadChannelsFile(path: string, providers?: BotProviderRules): Promise<Channel[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ChannelConfigError([`cannot read CHANNELS_FILE ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`]);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 50 });
  } catch (e) {
    throw new ChannelConfigError([`CHANNELS_FILE ${path} is not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}`]);
  }
  const list = (doc as { channels?: unknown })?.channels;
  if (!Array.isArray(list)) throw new ChannelConfigError([`CHANNELS_FILE ${path} must have a top-level "channels" list`]);
  const problems: string[] = [];
  const channels: Channel[] = [];
  const seen = new Set<string>();
  for (const raw of list) {
    // Where a channel came from decides who may change it (the file, or the admin API): a file
    // cannot declare its channels to be API channels, or the API would accept changes the next
    // start undoes.
    const source = raw && typeof raw === 'object' ? (raw as { source?: unknown }).source : undefined;
    if (source !== undefined && source !== 'file') {
      problems.push(`channel ${String((raw as { id?: unknown }).id ?? '?')}: source "${String(source).slice(0, 20)}" is not allowed in CHANNELS_FILE (every channel of the file is a file channel; leave source out)`);
      continue;
    }
    try {
      const ch = parseChannel(raw, providers);
      if (seen.has(ch.id)) problems.push(`channel ${ch.id} is defined twice`);
      seen.add(ch.id);
      channels.push(ch);
    } catch (e) {
      if (e instanceof ChannelConfigError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length) throw new ChannelConfigError(problems);
  return channels;
}
