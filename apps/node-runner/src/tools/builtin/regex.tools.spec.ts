import { pythonListRepr, pythonToJsRegex, regexExtract, REGEX_TIMEOUT_MS } from './regex.tools';

const run = (content: unknown, expression: unknown) => {
  const [message] = regexExtract({ content, expression });
  return message!.type === 'text' ? message!.text : '';
};

describe('regex_extract', () => {
  it('answers re.findall as Python prints it: matches, one group, several groups', () => {
    expect(run('call 555-1234 or 555-9876', String.raw`\d{3}-\d{4}`)).toBe("['555-1234', '555-9876']");
    expect(run('a=1, b=2', String.raw`(\w)=\d`)).toBe("['a', 'b']");
    expect(run('a=1, b=2', String.raw`(\w)=(\d)`)).toBe("[('a', '1'), ('b', '2')]");
    expect(run('nothing here', String.raw`\d+`)).toBe('[]');
    expect(run("it's", String.raw`it's`)).toBe('["it\'s"]');
  });

  it('reads Python named groups and leading inline flags', () => {
    expect(pythonToJsRegex('(?i)(?P<w>ab)(?P=w)')).toEqual({ flags: 'i', source: '(?<w>ab)\\k<w>' });
    expect(run('ABAB abab', '(?i)(?P<w>ab)(?P=w)')).toBe("['AB', 'ab']");
  });

  it("answers Dify's messages for empty inputs and bad expressions", () => {
    expect(run('  ', 'a')).toBe('Invalid content');
    expect(run('abc', ' ')).toBe('Invalid expression');
    expect(run('abc', '(')).toMatch(/^Failed to extract result, error: /);
  });

  it('stops catastrophic backtracking within its time limit', () => {
    const started = Date.now();
    expect(run('a'.repeat(40) + '!', '(a+)+$')).toMatch(/took longer than 1000 ms/);
    expect(Date.now() - started).toBeLessThan(REGEX_TIMEOUT_MS + 2_000);
  });

  it('prints strings with Python escapes', () => {
    expect(pythonListRepr(['a\nb', 'back\\slash', ['x']])).toBe("['a\\nb', 'back\\\\slash', ('x',)]");
  });
});
