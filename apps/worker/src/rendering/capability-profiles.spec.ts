import type { MessengerProfile } from '@app/channels/channel.types.js';
import { capabilitiesFor } from './capability-profiles.js';

describe('capabilitiesFor', () => {
  it.each<[MessengerProfile, number]>([
    ['webmessaging', 4000],
    ['whatsapp', 4000],
    ['sms', 765],
    ['open', 4000],
    ['facebook', 2000],
    ['instagram', 1000],
    ['line', 2000],
  ])('limits %s text to %i characters', (profile, maxTextLength) => {
    expect(capabilitiesFor(profile).maxTextLength).toBe(maxTextLength);
  });

  it('gives web messaging every feature', () => {
    expect(capabilitiesFor('webmessaging')).toMatchObject({
      quickReplies: true,
      buttons: true,
      cards: true,
      carousels: true,
      linkButtons: true,
      attachments: true,
      maxCarouselCards: 10,
    });
  });

  it('gives WhatsApp cards of at most 3 buttons and no carousels', () => {
    expect(capabilitiesFor('whatsapp')).toMatchObject({ cards: true, carousels: false, maxCardButtons: 3 });
  });

  it('gives SMS text only', () => {
    expect(capabilitiesFor('sms')).toMatchObject({
      quickReplies: false,
      buttons: false,
      cards: false,
      carousels: false,
      linkButtons: false,
      attachments: false,
    });
  });

  it('caps quick replies where the messenger does', () => {
    expect(capabilitiesFor('facebook').maxQuickReplies).toBe(13);
    expect(capabilitiesFor('instagram').maxQuickReplies).toBe(13);
  });

  it('turns off the features a channel disables, and only those', () => {
    const caps = capabilitiesFor('webmessaging', ['carousels', 'attachments']);

    expect(caps).toMatchObject({ carousels: false, attachments: false, cards: true, quickReplies: true });
  });

  it('returns a fresh object each time', () => {
    capabilitiesFor('line', ['cards']);

    expect(capabilitiesFor('line').cards).toBe(true);
  });

  it('rejects an unknown profile', () => {
    expect(() => capabilitiesFor('telegram' as MessengerProfile)).toThrow('Unknown messenger profile: telegram');
  });
});
