import { DomainError } from '@weft/contracts';
import { maskedToolSecret, normalizedCredentials } from './api-tool-provider.service';

function refusal(credentials: Record<string, string>): string {
  try {
    normalizedCredentials(credentials);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('invalid_param');
    return (error as Error).message;
  }
  throw new Error('the credentials were accepted');
}

describe('normalizedCredentials', () => {
  it("keeps Dify's fields for each auth type and drops the rest", () => {
    expect(normalizedCredentials({ api_key_value: 'ignored', auth_type: 'none' })).toEqual({ auth_type: 'none' });
    expect(
      normalizedCredentials({
        api_key_header: ' X-Key ',
        api_key_header_prefix: 'bearer',
        api_key_value: 'k',
        auth_type: 'api_key',
        extra: 'x',
      }),
    ).toEqual({ api_key_header: 'X-Key', api_key_header_prefix: 'bearer', api_key_value: 'k', auth_type: 'api_key' });
    expect(normalizedCredentials({ api_key_value: 'k', auth_type: 'api_key_header' })).toEqual({
      api_key_header: 'Authorization',
      api_key_value: 'k',
      auth_type: 'api_key_header',
    });
    expect(normalizedCredentials({ api_key_value: 'k', auth_type: 'api_key_query' })).toEqual({
      api_key_query_param: 'key',
      api_key_value: 'k',
      auth_type: 'api_key_query',
    });
  });

  it("refuses with Dify's messages, and values a request could not carry", () => {
    expect(refusal({})).toBe('auth_type is required');
    expect(refusal({ auth_type: 'basic_auth' })).toBe('invalid mode value basic_auth');
    expect(refusal({ auth_type: 'api_key', api_key_value: '  ' })).toBe('api_key_value is required when auth_type is api_key');
    expect(refusal({ auth_type: 'api_key', api_key_value: 'a\nb' })).toBe('api_key_value cannot contain line breaks');
    expect(refusal({ auth_type: 'api_key', api_key_value: 'k', api_key_header: 'X: Y' })).toBe(
      'api_key_header "X: Y" is not an HTTP header name',
    );
    expect(refusal({ auth_type: 'api_key', api_key_value: 'k', api_key_header_prefix: 'token' })).toBe(
      'api_key_header_prefix must be one of basic, bearer, custom',
    );
    expect(refusal({ auth_type: 'api_key_query', api_key_value: 'k', api_key_query_param: 'a&b=c' })).toBe(
      'api_key_query_param "a&b=c" is not a query parameter name',
    );
  });
});

describe('maskedToolSecret', () => {
  it('shows the first and last two characters of a key longer than six, stars otherwise (Dify)', () => {
    expect(maskedToolSecret('abcdefgh')).toBe('ab****gh');
    expect(maskedToolSecret('abcdef')).toBe('******');
    expect(maskedToolSecret('')).toBe('');
  });
});
