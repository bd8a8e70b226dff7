import { RepeatLimiter } from './repeat-limiter.js';

describe('RepeatLimiter', () => {
  let t = 0;
  const limiter = () => new RepeatLimiter(60_000, 3, () => t);
  beforeEach(() => (t = 1_000_000));

  it('lets the first occurrence through, holds back repeats within the interval, then says how many it held', () => {
    const l = limiter();
    expect(l.admit('turns:ECONNREFUSED')).toEqual({ heldBack: 0 });
    t += 2_000;
    expect(l.admit('turns:ECONNREFUSED')).toBeUndefined();
    t += 2_000;
    expect(l.admit('turns:ECONNREFUSED')).toBeUndefined();
    t += 56_000;
    expect(l.admit('turns:ECONNREFUSED')).toEqual({ heldBack: 2 });
    t += 1;
    expect(l.admit('turns:ECONNREFUSED')).toBeUndefined();
  });

  it('keeps keys apart', () => {
    const l = limiter();
    expect(l.admit('turns:ECONNREFUSED')).toEqual({ heldBack: 0 });
    expect(l.admit('notifications:ECONNREFUSED')).toEqual({ heldBack: 0 });
    expect(l.admit('turns:ReplyError')).toEqual({ heldBack: 0 });
    expect(l.admit('turns:ECONNREFUSED')).toBeUndefined();
  });

  it('keeps at most maxKeys keys, forgetting the one least recently let through', () => {
    const l = limiter();
    for (const k of ['a', 'b', 'c']) l.admit(k);
    l.admit('d'); // forgets a
    expect(l.admit('b')).toBeUndefined();
    expect(l.admit('a')).toEqual({ heldBack: 0 });
  });
});
