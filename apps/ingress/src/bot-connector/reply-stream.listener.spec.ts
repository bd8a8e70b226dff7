import { rewound } from './reply-stream.listener.js';

describe('reply stream cursor after a reconnect', () => {
  it('goes back 10 s, to the start of that millisecond, so entries of a new master with a lagging clock are read', () => {
    expect(rewound('1765000010000-7')).toBe('1765000000000-0');
  });

  it('never goes below the start of the stream', () => {
    expect(rewound('0-0')).toBe('0-0');
    expect(rewound('5000-3')).toBe('0-0');
  });
});
