import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError, type ValidatorOptions } from 'class-validator';
import { GatewayError } from '@app/errors';
import { GenesysLimits } from '@app/genesys';
import { createValidationPipe } from '../../errors/validation.pipe.js';
import { IncomingMessagesRequestDto, IncomingTurnDto } from './incoming-turn.dto.js';

/** The validator options of apps/ingress/src/errors/validation.pipe.ts. */
const OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: false,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
};

/** Failing constraints as "path: constraint", e.g. "inputMessage.text: maxLength". */
function flatten(errors: ValidationError[], path = ''): string[] {
  return errors.flatMap((e) => {
    const here = path ? `${path}.${e.property}` : e.property;
    return [...Object.keys(e.constraints ?? {}).map((c) => `${here}: ${c}`), ...flatten(e.children ?? [], here)];
  });
}

async function check(body: unknown): Promise<{ dto: IncomingTurnDto; problems: string[] }> {
  const dto = plainToInstance(IncomingTurnDto, body) as IncomingTurnDto;
  const problems = flatten(await validate(dto, OPTIONS));
  return { dto, problems };
}

/** The observed minimal v1 body (reference genesys-protocol.md §2.2). */
const minimal = () => ({
  botId: 'adabot1',
  botVersion: '0.1',
  botSessionId: 'f9888cf5-3d64-4c4e-9c3b-2b0f0c4b9d11',
  inputMessage: { type: 'Text', text: 'hello' },
  languageCode: 'ja-jp',
  botSessionTimeout: 4320,
  chatBot: { id: '22DEE904-1D8B-4C1B-9A6B-000000000000', name: 'adabot1' },
  genesysConversationId: '8c562a4d-7e5f-4b1e-a1c2-000000000000',
});

describe('IncomingTurnDto', () => {
  it('accepts the observed minimal v1 body unchanged', async () => {
    const { dto, problems } = await check(minimal());
    expect(problems).toEqual([]);
    expect(dto).toBeInstanceOf(IncomingTurnDto);
    expect({ ...dto, inputMessage: { ...dto.inputMessage }, chatBot: { ...dto.chatBot } }).toEqual(minimal());
  });

  it('accepts a body with only the required fields', async () => {
    const { problems } = await check({ botId: 'b', botSessionId: 's', inputMessage: {} });
    expect(problems).toEqual([]);
  });

  it.each(['QuickReply', 'Button'])('accepts a Structured ButtonResponse (%s) body', async (type) => {
    const body = {
      ...minimal(),
      inputMessage: {
        type: 'Structured',
        text: 'Return an item',
        content: [{ contentType: 'ButtonResponse', buttonResponse: { type, text: 'Return an item', payload: 'RETURN' } }],
      },
    };
    const { dto, problems } = await check(body);
    expect(problems).toEqual([]);
    expect(dto.inputMessage.content?.[0]?.buttonResponse).toEqual({ type, text: 'Return an item', payload: 'RETURN' });
  });

  it('accepts the third-party inputMessage.buttonResponse shape and attachments', async () => {
    const { dto, problems } = await check({
      ...minimal(),
      inputMessage: {
        type: 'Structured',
        buttonResponse: { type: 'QuickReply', payload: 'YES' },
        content: [{ contentType: 'Attachment', attachment: { mediaType: 'Image', url: 'https://cdn.test/a.png', contentSizeBytes: 10 } }],
      },
    });
    expect(problems).toEqual([]);
    expect(dto.inputMessage.buttonResponse).toEqual({ type: 'QuickReply', payload: 'YES' });
    expect(dto.inputMessage.content?.[0]?.attachment).toMatchObject({ mediaType: 'Image', url: 'https://cdn.test/a.png' });
  });

  it('accepts a body that names the bot only by chatBot.id, and rejects one with neither', async () => {
    const body: Record<string, unknown> = minimal();
    delete body.botId;
    expect((await check(body)).problems).toEqual([]);
    delete body.chatBot;
    expect((await check(body)).problems.every((p) => p.startsWith('botId: '))).toBe(true);
    expect((await check(body)).problems.length).toBeGreaterThan(0);
  });

  it.each(['botSessionId', 'inputMessage'] as const)('rejects a body without %s', async (field) => {
    const body: Record<string, unknown> = minimal();
    delete body[field];
    const { problems } = await check(body);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.startsWith(`${field}: `))).toBe(true);
  });

  it('rejects an empty botSessionId and an over-long id', async () => {
    expect((await check({ ...minimal(), botSessionId: '' })).problems).toEqual(['botSessionId: minLength']);
    expect((await check({ ...minimal(), botId: 'x'.repeat(GenesysLimits.maxIdLength + 1) })).problems).toEqual(['botId: maxLength']);
    expect((await check({ ...minimal(), botId: 'x'.repeat(GenesysLimits.maxIdLength) })).problems).toEqual([]);
  });

  it('rejects wrong types, naming each field', async () => {
    const { problems } = await check({
      ...minimal(),
      botId: 42,
      botSessionTimeout: '4320',
      languageCode: ['en-us'],
      chatBot: 'adabot1',
      genesysConversationId: { id: 'x' },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'botId: isString',
        'botSessionTimeout: isInt',
        'languageCode: isString',
        'chatBot: isObject',
        'genesysConversationId: isString',
      ]),
    );
    expect(problems.some((p) => p.startsWith('botSessionId'))).toBe(false);
  });

  it('rejects an inputMessage that is not an object', async () => {
    expect((await check({ ...minimal(), inputMessage: 'hello' })).problems).toContain('inputMessage: isObject');
    expect((await check({ ...minimal(), inputMessage: [{ type: 'Text' }] })).problems).toContain('inputMessage: isObject');
  });

  it('rejects wrong nested types', async () => {
    const { problems } = await check({
      ...minimal(),
      inputMessage: { type: 'Structured', text: 5, content: [{ contentType: 'ButtonResponse', buttonResponse: { payload: 7 } }, { attachment: { contentSizeBytes: -1 } }] },
    });
    expect(problems).toEqual(
      expect.arrayContaining(['inputMessage.text: isString', 'inputMessage.content.0.buttonResponse.payload: isString', 'inputMessage.content.1.attachment.contentSizeBytes: min']),
    );
    expect((await check({ ...minimal(), inputMessage: { content: { contentType: 'x' } } })).problems).toContain('inputMessage.content: isArray');
  });

  it('rejects text over 8000 characters and accepts exactly 8000', async () => {
    expect(GenesysLimits.maxInputTextLength).toBe(8000);
    expect((await check({ ...minimal(), inputMessage: { type: 'Text', text: 'x'.repeat(8000) } })).problems).toEqual([]);
    expect((await check({ ...minimal(), inputMessage: { type: 'Text', text: 'x'.repeat(8001) } })).problems).toEqual(['inputMessage.text: maxLength']);
  });

  it('rejects more content items than the limit', async () => {
    const content = Array.from({ length: GenesysLimits.maxInputContentItems + 1 }, () => ({ contentType: 'ButtonResponse', buttonResponse: { payload: 'x' } }));
    expect((await check({ ...minimal(), inputMessage: { type: 'Structured', content } })).problems).toEqual(['inputMessage.content: arrayMaxSize']);
  });

  it('accepts string parameters', async () => {
    const { dto, problems } = await check({ ...minimal(), parameters: { customerId: '123', tier: 'gold' } });
    expect(problems).toEqual([]);
    expect(dto.parameters).toEqual({ customerId: '123', tier: 'gold' });
  });

  it('coerces number and boolean parameters to strings', async () => {
    const { dto, problems } = await check({ ...minimal(), parameters: { amount: 3.5, count: 0, vip: false } });
    expect(problems).toEqual([]);
    expect(dto.parameters).toEqual({ amount: '3.5', count: '0', vip: 'false' });
  });

  it.each([
    ['a nested object', { order: { id: 1 } }],
    ['an array', { tags: ['a', 'b'] }],
    ['null', { x: null }],
    ['a value over the length limit', { x: 'v'.repeat(GenesysLimits.maxParameterValueLength + 1) }],
    ['a key over the length limit', { ['k'.repeat(GenesysLimits.maxParameterKeyLength + 1)]: 'v' }],
  ])('rejects parameters with %s', async (_, parameters) => {
    expect((await check({ ...minimal(), parameters })).problems).toEqual(['parameters: isParameterMap']);
  });

  it('rejects parameters that are not a map', async () => {
    expect((await check({ ...minimal(), parameters: ['a'] })).problems).toEqual(['parameters: isParameterMap']);
    expect((await check({ ...minimal(), parameters: 'a=b' })).problems).toEqual(['parameters: isParameterMap']);
  });

  it('accepts 50 parameters and rejects 51', async () => {
    const params = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, String(i)]));
    expect((await check({ ...minimal(), parameters: params(50) })).problems).toEqual([]);
    expect((await check({ ...minimal(), parameters: params(51) })).problems).toEqual(['parameters: isParameterMap']);
  });

  it('bounds botSessionTimeout to 1 minute .. 7 days', async () => {
    expect((await check({ ...minimal(), botSessionTimeout: 0 })).problems).toEqual(['botSessionTimeout: min']);
    expect((await check({ ...minimal(), botSessionTimeout: -5 })).problems).toEqual(['botSessionTimeout: min']);
    expect((await check({ ...minimal(), botSessionTimeout: 1 })).problems).toEqual([]);
    expect((await check({ ...minimal(), botSessionTimeout: 7 * 24 * 60 })).problems).toEqual([]);
    expect((await check({ ...minimal(), botSessionTimeout: 7 * 24 * 60 + 1 })).problems).toEqual(['botSessionTimeout: max']);
    expect((await check({ ...minimal(), botSessionTimeout: 1e12 })).problems).toEqual(['botSessionTimeout: max']);
    expect((await check({ ...minimal(), botSessionTimeout: 1.5 })).problems).toEqual(['botSessionTimeout: isInt']);
  });

  it('strips unknown fields at every level instead of refusing them', async () => {
    const { dto, problems } = await check({
      ...minimal(),
      futureField: 'x',
      __proto_like: { a: 1 },
      inputMessage: {
        type: 'Structured',
        text: 'hi',
        channel: 'whatsapp',
        content: [{ contentType: 'ButtonResponse', extra: 1, buttonResponse: { payload: 'P', originatingMessageId: 'm1' } }],
      },
      chatBot: { id: 'c1', name: 'n', owner: 'someone' },
    });
    expect(problems).toEqual([]);
    const plain = dto as unknown as Record<string, unknown>;
    expect(plain.futureField).toBeUndefined();
    expect(plain.__proto_like).toBeUndefined();
    expect(dto.inputMessage).toEqual({ type: 'Structured', text: 'hi', content: [{ contentType: 'ButtonResponse', buttonResponse: { payload: 'P' } }] });
    expect({ ...dto.chatBot }).toEqual({ id: 'c1', name: 'n' });
  });

  describe('through the real validation pipe', () => {
    const pipe = createValidationPipe();
    const meta = { type: 'body' as const, metatype: IncomingTurnDto, data: '' };

    it('returns the transformed DTO for a valid body, stripped and coerced', async () => {
      const out = (await pipe.transform({ ...minimal(), unknown: 1, parameters: { n: 1 } }, meta)) as IncomingTurnDto;
      expect(out).toBeInstanceOf(IncomingTurnDto);
      expect((out as unknown as Record<string, unknown>).unknown).toBeUndefined();
      expect(out.parameters).toEqual({ n: '1' });
    });

    it('throws an invalid_request GatewayError naming the fields, never the values', async () => {
      const secretText = 'SECRET-VALUE-'.repeat(700);
      const err = await pipe.transform({ ...minimal(), botSessionId: undefined, inputMessage: { text: secretText } }, meta).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(GatewayError);
      const g = err as GatewayError;
      expect(g.code).toBe('invalid_request');
      expect(g.details).toEqual(expect.arrayContaining([expect.stringMatching(/^botSessionId /), expect.stringMatching(/^inputMessage\.text /)]));
      expect(JSON.stringify(g.details)).not.toContain('SECRET-VALUE');
    });
  });
});

describe('IncomingMessagesRequestDto (v2)', () => {
  /** The IncomingMessagesRequest of reference genesys-protocol.md §3.3, every required field present. */
  const request = () => ({
    botId: 'bot1',
    botVersion: '1.0',
    botSessionId: 'f9888cf5-3d64-4c4e-9c3b-2b0f0c4b9d11',
    messageId: 'a5d1c2e0-0000-4000-8000-000000000001',
    inputMessage: { type: 'Text', text: 'hello' },
    languageCode: 'en-us',
    botSessionTimeout: 720,
    genesysConversationId: '8c562a4d-7e5f-4b1e-a1c2-000000000000',
  });
  async function problemsOf(body: Record<string, unknown>): Promise<string[]> {
    return flatten(await validate(plainToInstance(IncomingMessagesRequestDto, body), OPTIONS));
  }
  const without = (field: string) => {
    const body: Record<string, unknown> = request();
    delete body[field];
    return body;
  };

  it('accepts the spec request, and the v1 DTO still takes it without messageId or botVersion', async () => {
    expect(await problemsOf(request())).toEqual([]);
    const v1 = without('messageId');
    delete v1.botVersion;
    expect((await check(v1)).problems).toEqual([]);
  });

  it.each(['messageId', 'botVersion', 'botId'])('requires %s', async (field) => {
    const problems = await problemsOf(without(field));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.startsWith(`${field}: `))).toBe(true);
  });

  it('bounds messageId (1..256) and botVersion (1..100, as Genesys bounds a bot version)', async () => {
    expect(await problemsOf({ ...request(), messageId: '' })).toEqual(['messageId: minLength']);
    expect(await problemsOf({ ...request(), messageId: 'm'.repeat(GenesysLimits.maxIdLength + 1) })).toEqual(['messageId: maxLength']);
    expect(await problemsOf({ ...request(), messageId: 'm'.repeat(GenesysLimits.maxIdLength) })).toEqual([]);
    expect(await problemsOf({ ...request(), botVersion: '' })).toEqual(['botVersion: minLength']);
    expect(await problemsOf({ ...request(), botVersion: 'v'.repeat(101) })).toEqual(['botVersion: maxLength']);
    expect(await problemsOf({ ...request(), botVersion: 'v'.repeat(100) })).toEqual([]);
    expect(await problemsOf({ ...request(), messageId: 7, botVersion: 1 })).toEqual(expect.arrayContaining(['messageId: isString', 'botVersion: isString']));
  });

  it('drops the v1-only chatBot object', async () => {
    const dto = plainToInstance(IncomingMessagesRequestDto, { ...request(), chatBot: { id: 'x', name: 'y' } });
    expect(flatten(await validate(dto, OPTIONS))).toEqual([]);
    expect((dto as unknown as Record<string, unknown>).chatBot).toBeUndefined();
  });
});
