import { containsPattern } from './like-pattern.util';

describe('containsPattern', () => {
  it('wraps the text in % and escapes the wildcards and the escape character', () => {
    expect(containsPattern('ada')).toBe('%ada%');
    expect(containsPattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
  });
});
