import 'reflect-metadata';
import { IsInt, IsString, MaxLength, Min } from 'class-validator';
import { GatewayError } from '@app/errors';
import { LoginDto } from '../admin/auth.controller.js';
import { IncomingMessagesRequestDto, IncomingTurnDto } from '../bot-connector/dto/incoming-turn.dto.js';
import { CreateNotificationDto } from '../notifications/dto/create-notification.dto.js';
import { ValidationSubject, createValidationPipe } from './validation.pipe.js';

const pipe = createValidationPipe();

async function refusal(value: unknown, metatype: new () => object, type: 'body' | 'query' = 'body'): Promise<GatewayError> {
  try {
    await pipe.transform(value, { type, metatype });
  } catch (e) {
    expect(e).toBeInstanceOf(GatewayError);
    return e as GatewayError;
  }
  throw new Error('expected the input to be refused');
}

class PageQuery {
  @IsInt() @Min(1) limit: number;
}

@ValidationSubject('widget')
class WidgetDto {
  @IsString() @MaxLength(3) name: string;
}
class SpecialWidgetDto extends WidgetDto {}

describe('validation errors say what was invalid for the route called', () => {
  it('names the route\'s input, with field-level details and never the value', async () => {
    const login = await refusal({ username: 'x', password: 'p'.repeat(300) }, LoginDto);
    expect(login).toMatchObject({ code: 'invalid_request', message: 'invalid login request', details: ['password must be shorter than or equal to 256 characters'] });
    expect(JSON.stringify(login)).not.toContain('ppppp');
    expect((await refusal({}, CreateNotificationDto)).message).toBe('invalid notification');
    expect((await refusal({ botSessionId: 7 }, IncomingTurnDto)).message).toBe('invalid Bot Connector request');
  });

  it('says a missing field is required, once, instead of every rule its absence breaks', async () => {
    const v2 = await refusal({ botId: 'b', botSessionId: 's', inputMessage: { type: 'Text', text: 'hi' }, languageCode: 'en-us' }, IncomingMessagesRequestDto);
    expect(v2).toMatchObject({ message: 'invalid Digital Bot Connector request', details: ['botVersion is required', 'messageId is required'] });
    expect((await refusal({ botId: 'b', botVersion: '', messageId: 'm', botSessionId: 's', inputMessage: { type: 'Text', text: 'hi' } }, IncomingMessagesRequestDto)).details).toEqual(['botVersion must be longer than or equal to 1 characters']);
  });

  it('subclasses keep their parent\'s name; an unnamed DTO is described by where it came from', async () => {
    expect((await refusal({ name: 'long name' }, SpecialWidgetDto)).message).toBe('invalid widget');
    expect((await refusal({ limit: 0 }, PageQuery, 'query')).message).toBe('invalid request query');
  });
});
