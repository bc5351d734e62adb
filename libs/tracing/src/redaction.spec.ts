import { redactQuery, redactUrl } from './redaction';

describe('what URLs leave in spans', () => {
  it('replaces every query value, keeping the names', () => {
    expect(redactQuery('token=abc&user=ada&flag&page=2')).toBe('token=REDACTED&user=REDACTED&flag&page=REDACTED');
    expect(redactQuery('')).toBe('');
  });

  it('drops credentials and query values from an absolute URL', () => {
    expect(redactUrl('https://bob:pw@api.example.com:8443/v1/x?api_key=sk-1&q=hi')).toBe(
      'https://REDACTED:REDACTED@api.example.com:8443/v1/x?api_key=REDACTED&q=REDACTED',
    );
    expect(redactUrl('http://127.0.0.2:4000/ping')).toBe('http://127.0.0.2:4000/ping');
    expect(redactUrl('not a url')).toBe('REDACTED');
  });
});
