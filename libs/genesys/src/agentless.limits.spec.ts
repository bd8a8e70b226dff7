import { AgentlessLimits, agentlessTextLimit, isAgentlessMessengerType, validateAgentlessTarget, type AgentlessTarget } from './agentless.limits.js';

const WA_INTEGRATION = '0f8c7d2e-1b3a-4c5d-9e8f-a1b2c3d4e5f6';
const sms = (over: Partial<AgentlessTarget> = {}): AgentlessTarget => ({ messengerType: 'sms', toAddress: '+13175555555', fromAddress: '+13175550000', text: 'Your order shipped.', ...over });
const wa = (over: Partial<AgentlessTarget> = {}): AgentlessTarget => ({ messengerType: 'whatsapp', toAddress: '13175555555', fromAddress: WA_INTEGRATION, hasTemplate: true, ...over });
const open = (over: Partial<AgentlessTarget> = {}): AgentlessTarget => ({ messengerType: 'open', toAddress: 'customer-42', fromAddress: 'open-integration', text: 'Hello', ...over });

describe('agentless limits', () => {
  it('knows the messenger types and their text limits', () => {
    expect(['sms', 'whatsapp', 'open'].every(isAgentlessMessengerType)).toBe(true);
    expect(isAgentlessMessengerType('webmessaging')).toBe(false);
    expect(isAgentlessMessengerType('SMS')).toBe(false);
    expect(agentlessTextLimit('sms')).toBe(765);
    expect(agentlessTextLimit('whatsapp')).toBe(2000);
    expect(agentlessTextLimit('open')).toBe(2000);
    expect(AgentlessLimits).toMatchObject({ maxSmsTextLength: 765, maxTextLength: 2000 });
  });

  it.each([
    ['sms', sms()],
    ['sms at 765 characters', sms({ text: 'x'.repeat(765) })],
    ['sms from a short code', sms({ fromAddress: '72345' })],
    ['whatsapp with template only', wa()],
    ['whatsapp with template and 2000 characters', wa({ text: 'x'.repeat(2000) })],
    ['open at 2000 characters', open({ text: 'x'.repeat(2000) })],
    ['open with a template and no text', open({ text: undefined, hasTemplate: true })],
  ])('accepts %s', (_name, target) => {
    expect(validateAgentlessTarget(target)).toEqual([]);
  });

  it.each<[string, AgentlessTarget, string[]]>([
    ['web messaging', { ...sms(), messengerType: 'webmessaging' }, ['messengerType: must be one of sms, whatsapp, open']],
    ['sms over 765', sms({ text: 'x'.repeat(766) }), ['text: longer than 765 characters (766)']],
    ['sms emoji counted in UTF-16 units', sms({ text: '😀'.repeat(383) }), ['text: longer than 765 characters (766)']],
    ['sms without text', sms({ text: '  ' }), ['text: required for SMS']],
    ['sms to without +', sms({ toAddress: '13175555555' }), ['toAddress: must be an E.164 number with a leading + (e.g. +13175555555)']],
    ['sms to with spaces', sms({ toAddress: '+1 317 555 5555' }), ['toAddress: must be an E.164 number with a leading + (e.g. +13175555555)']],
    ['sms to over 15 digits', sms({ toAddress: '+1234567890123456' }), ['toAddress: must be an E.164 number with a leading + (e.g. +13175555555)']],
    ['sms from not a number', sms({ fromAddress: 'ACME' }), ['fromAddress: must be a provisioned SMS number (E.164 with +) or short code']],
    ['missing addresses', sms({ toAddress: '', fromAddress: undefined }), ['toAddress: required', 'fromAddress: required']],
    ['whatsapp to with +', wa({ toAddress: '+13175555555' }), ['toAddress: must be the WhatsApp number in E.164 digits without + (e.g. 13175555555)']],
    ['whatsapp from a phone number', wa({ fromAddress: '+13175550000' }), ['fromAddress: must be the WhatsApp integration id (a UUID)']],
    ['whatsapp without template', wa({ hasTemplate: false, text: 'hi' }), ['messagingTemplate: required for WhatsApp']],
    ['whatsapp over 2000', wa({ text: 'x'.repeat(2001) }), ['text: longer than 2000 characters (2001)']],
    ['open over 2000', open({ text: 'x'.repeat(2001) }), ['text: longer than 2000 characters (2001)']],
    ['open without text or template', open({ text: '' }), ['text: required when no messagingTemplate is sent']],
    ['open padded address', open({ toAddress: ' customer-42' }), ['toAddress: must have no surrounding whitespace and at most 256 characters']],
    ['open address over 256', open({ toAddress: 'c'.repeat(257) }), ['toAddress: must have no surrounding whitespace and at most 256 characters']],
  ])('refuses %s', (_name, target, expected) => {
    expect(validateAgentlessTarget(target)).toEqual(expected);
  });
});
