import { endUserPseudonym } from './end-user-pseudonym.util';

describe('endUserPseudonym', () => {
  it('is stable per workspace, differs across workspaces and hides the string', () => {
    const a = endUserPseudonym('w1', 'ada@example.com');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(endUserPseudonym('w1', 'ada@example.com')).toBe(a);
    expect(endUserPseudonym('w2', 'ada@example.com')).not.toBe(a);
    expect(a).not.toContain('ada');
  });
});
