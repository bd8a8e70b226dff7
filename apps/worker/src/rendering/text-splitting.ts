/**
 * Where a too-long text may be cut, best first. Each pattern matches only the whitespace that
 * disappears at the cut, so the text on both sides is kept as written. A coarse boundary is used
 * only when it fills at least half a chunk; otherwise an early paragraph break would turn one long
 * text into many short messages.
 */
const BOUNDARIES: readonly { pattern: RegExp; minFill: number }[] = [
  { pattern: /\n[^\S\n]*\n\s*/g, minFill: 0.5 },
  { pattern: /\n\s*/g, minFill: 0.5 },
  { pattern: /(?<=[.!?…]['"”’»)\]]*)\s+/g, minFill: 0.5 },
  { pattern: /\s+/g, minFill: 0 },
];

interface Cut {
  /** End of the chunk (exclusive). */
  end: number;
  /** Where the next chunk starts. */
  resume: number;
}

/**
 * Splits `text` into chunks of at most `maxLength` UTF-16 units, at paragraph, line, sentence or
 * word boundaries, in that order of preference. A single word longer than `maxLength` is the only
 * thing cut in the middle. Only whitespace at the cuts is lost; whitespace-only text yields no chunk.
 */
export function splitText(text: string, maxLength: number): string[] {
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new RangeError(`maxLength must be a positive integer, got ${maxLength}`);
  }
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > maxLength) {
    const { end, resume } = findCut(rest, maxLength);
    const chunk = rest.slice(0, end).trimEnd();
    if (chunk.length > 0) {
      chunks.push(chunk);
    }
    rest = rest.slice(resume).trimStart();
  }
  if (rest.trim().length > 0) {
    chunks.push(rest);
  }
  return chunks;
}

/**
 * Shortens `text` to at most `maxLength` units, at a word boundary when one falls in the second
 * half, and marks the cut with an ellipsis.
 */
export function truncateAtWord(text: string, maxLength: number): string {
  if (text.length <= maxLength) {
    return text;
  }
  const room = maxLength - 1;
  const head = text.slice(0, room + 1);
  const lastSpace = head.search(/\s\S*$/);
  const end = lastSpace >= room / 2 ? lastSpace : safeEnd(text, room);
  return `${text.slice(0, end).trimEnd()}…`;
}

function findCut(text: string, maxLength: number): Cut {
  // One unit past the limit, so whitespace sitting right at the limit still counts as a boundary.
  const window = text.slice(0, maxLength + 1);
  const contentStart = window.search(/\S/);
  for (const { pattern, minFill } of BOUNDARIES) {
    let best: Cut | undefined;
    for (const match of window.matchAll(pattern)) {
      const end = match.index;
      if (end < maxLength * minFill || contentStart === -1 || end <= contentStart) {
        continue;
      }
      best = { end, resume: end + match[0].length };
    }
    if (best) {
      return best;
    }
  }
  const end = safeEnd(text, maxLength);
  return { end, resume: end };
}

/** Steps back one unit rather than separating the halves of a surrogate pair (emoji and the like). */
function safeEnd(text: string, end: number): number {
  const code = text.charCodeAt(end - 1);
  const splitsPair = code >= 0xd800 && code <= 0xdbff;
  return splitsPair && end > 1 ? end - 1 : end;
}
