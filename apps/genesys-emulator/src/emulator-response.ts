/** An HTTP answer computed by the emulator's logic classes; the controllers only write it out. */
export type EmulatorResponse =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'empty'; status: number; headers?: Record<string, string> }
  | { kind: 'redirect'; location: string }
  | { kind: 'html'; status: number; html: string };

export function json(status: number, body: unknown, headers?: Record<string, string>): EmulatorResponse {
  return { kind: 'json', status, body, ...(headers ? { headers } : {}) };
}

export function empty(status: 202 | 204): EmulatorResponse {
  return { kind: 'empty', status };
}
