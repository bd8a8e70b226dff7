import { Body, Controller, Delete, Get, Inject, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { EmulatorHttpError, isRecord } from './api-errors.js';
import type { CustomerInput } from './architect-flow.driver.js';
import { FlowValidationError, redactFlow } from './architect-flow.types.js';
import { json, empty, type EmulatorResponse } from './emulator-response.js';
import { GenesysCloudEmulator } from './genesys-cloud-emulator.js';
import { send } from './http-reply.js';

/**
 * Dev/test API of the emulator itself. Not a Genesys path, no auth (the emulator is local only),
 * never rate-limited, failed or logged by the switches. Errors use `{message, code, status, details?}`.
 *
 *   POST   /emulator/flows                      body ArchitectFlowDefinition → 200 flow (header values redacted) | 400
 *   GET    /emulator/flows                      → 200 {entities: [flow]}
 *   POST   /emulator/conversations              body {flowId, text?, quickReply?: {text, payload}, parameters?}
 *                                               → 201 ConversationView, after the first synchronous answer | 400 | 404
 *   POST   /emulator/conversations/:id/messages body {text} | {quickReply: {text, payload}} | {button: {text, payload}}
 *                                               → 200 ConversationView | 404 | 409 (ended)
 *   GET    /emulator/conversations/:id          → 200 ConversationView | 404
 *   GET    /emulator/conversations              → 200 {entities: [ConversationView]}
 *   GET    /emulator/calls                      → 200 {calls: [EmulatorCall], flowCalls: [FlowCall]}
 *   DELETE /emulator/calls                      → 204
 *   POST   /emulator/rate-limit                 body {count, retryAfterSeconds?, pathPrefix?} → 204
 *   POST   /emulator/fail-next                  body {count, status?, pathPrefix?} → 204
 *   GET    /emulator/bot-lists/:integrationId/history → 200 {integrationId, entities: [{at, status, botList, errors?}]}
 *   GET    /emulator/agentless                  → 200 {entities: [AgentlessMessage]}
 *
 * ConversationView = {id, flowId, protocol, integrationId, botSessionId, botId, botVersion, languageCode,
 *   state: 'bot'|'agent'|'ended'|'failed', queue?, intent?, failure?: {errorType, errorMessage},
 *   parameters, messages: [{from: 'customer'|'bot', at, via?: 'response'|'outgoing', type?, text?, content?}],
 *   participantAttributes}
 */
@Controller('emulator')
export class DevApiController {
  constructor(@Inject(GenesysCloudEmulator) private readonly emulator: GenesysCloudEmulator) {}

  @Post('flows')
  registerFlow(@Body() body: unknown, @Res() reply: FastifyReply): void {
    send(reply, guard(() => json(200, redactFlow(this.emulator.registerFlow(body)))));
  }

  @Get('flows')
  listFlows(@Res() reply: FastifyReply): void {
    send(reply, json(200, { entities: this.emulator.flows.listFlows().map(redactFlow) }));
  }

  @Post('conversations')
  async start(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    send(
      reply,
      await guardAsync(async () => {
        if (!isRecord(body) || typeof body.flowId !== 'string') throw new EmulatorHttpError(400, 'bad.request', 'body must be {flowId, text?, quickReply?, parameters?}');
        const first = body.text === undefined && body.quickReply === undefined && body.button === undefined ? undefined : customerInput(body);
        if (body.parameters !== undefined && (!isRecord(body.parameters) || Object.values(body.parameters).some((v) => typeof v !== 'string'))) {
          throw new EmulatorHttpError(400, 'bad.request', 'parameters must be an object of string values');
        }
        return json(201, await this.emulator.startConversation(body.flowId, first, body.parameters as Record<string, string> | undefined));
      }),
    );
  }

  @Post('conversations/:id/messages')
  async message(@Param('id') id: string, @Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await guardAsync(async () => json(200, await this.emulator.sendCustomerMessage(id, customerInput(body)))));
  }

  @Get('conversations/:id')
  conversation(@Param('id') id: string, @Res() reply: FastifyReply): void {
    const view = this.emulator.conversationView(id);
    send(reply, view ? json(200, view) : new EmulatorHttpError(404, 'not.found', `No conversation ${id}`).toResponse());
  }

  @Get('conversations')
  conversations(@Res() reply: FastifyReply): void {
    send(reply, json(200, { entities: this.emulator.conversations.list().map((c) => this.emulator.conversationView(c.id)) }));
  }

  @Get('calls')
  calls(@Res() reply: FastifyReply): void {
    send(reply, json(200, { calls: this.emulator.calls, flowCalls: this.emulator.flowCalls }));
  }

  @Delete('calls')
  clearCalls(@Res() reply: FastifyReply): void {
    this.emulator.clearCalls();
    send(reply, empty(204));
  }

  @Post('rate-limit')
  rateLimit(@Body() body: unknown, @Res() reply: FastifyReply): void {
    send(
      reply,
      guard(() => {
        const b = switchBody(body);
        this.emulator.rateLimitNext(b.count, (b.retryAfterSeconds as number | undefined) ?? 1, (b.pathPrefix as string | undefined) ?? '/');
        return empty(204);
      }),
    );
  }

  @Post('fail-next')
  failNext(@Body() body: unknown, @Res() reply: FastifyReply): void {
    send(
      reply,
      guard(() => {
        const b = switchBody(body);
        this.emulator.failNext(b.count, (b.status as number | undefined) ?? 503, (b.pathPrefix as string | undefined) ?? '/api/');
        return empty(204);
      }),
    );
  }

  @Get('bot-lists/:integrationId/history')
  botListHistory(@Param('integrationId') integrationId: string, @Res() reply: FastifyReply): void {
    if (!this.emulator.options.integrations.has(integrationId)) return send(reply, new EmulatorHttpError(404, 'not.found', `No integration ${integrationId}`).toResponse());
    send(reply, json(200, { integrationId, entities: this.emulator.botListHistory(integrationId) }));
  }

  @Get('agentless')
  agentless(@Res() reply: FastifyReply): void {
    send(reply, json(200, { entities: this.emulator.agentlessMessages }));
  }
}

function customerInput(body: unknown): CustomerInput {
  if (isRecord(body)) {
    if (typeof body.text === 'string' && body.text !== '') return { text: body.text };
    for (const key of ['quickReply', 'button'] as const) {
      const click = body[key];
      if (isRecord(click) && typeof click.text === 'string' && typeof click.payload === 'string') {
        return key === 'quickReply' ? { quickReply: { text: click.text, payload: click.payload } } : { button: { text: click.text, payload: click.payload } };
      }
    }
  }
  throw new EmulatorHttpError(400, 'bad.request', 'a customer message is {text} or {quickReply: {text, payload}} or {button: {text, payload}}');
}

function switchBody(body: unknown): Record<string, unknown> & { count: number } {
  if (!isRecord(body) || typeof body.count !== 'number') throw new EmulatorHttpError(400, 'bad.request', 'body must include a numeric count');
  return body as Record<string, unknown> & { count: number };
}

function toResponse(e: unknown): EmulatorResponse {
  if (e instanceof EmulatorHttpError) return e.toResponse();
  if (e instanceof FlowValidationError) return new EmulatorHttpError(400, 'bad.request', e.message, e.details).toResponse();
  if (e instanceof RangeError) return new EmulatorHttpError(400, 'bad.request', e.message).toResponse();
  throw e;
}

function guard(fn: () => EmulatorResponse): EmulatorResponse {
  try {
    return fn();
  } catch (e) {
    return toResponse(e);
  }
}

async function guardAsync(fn: () => Promise<EmulatorResponse>): Promise<EmulatorResponse> {
  try {
    return await fn();
  } catch (e) {
    return toResponse(e);
  }
}
