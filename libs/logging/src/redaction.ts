/** Field names whose values are secrets wherever they appear in a log object (up to three levels deep). */
const SECRET_FIELDS = [
  'access_token',
  'anthropic_api_key',
  'api_key',
  'apiKey',
  'authorization',
  'client_secret',
  'cookie',
  'credentials',
  'encryptionKeys',
  'new_password',
  'openai_api_key',
  'password',
  'private_key',
  'refresh_token',
  'sealed_credentials',
  'secret',
  'secretKey',
  'secret_key',
  'signingKeys',
  'token',
  '"x-api-key"',
  '"set-cookie"',
];

const path = (prefix: string, field: string) => (field.startsWith('"') ? `${prefix.replace(/\.$/, '')}[${field}]` : `${prefix}${field}`);

/**
 * Log paths whose values are secrets; pino replaces them with "[redacted]". Request and response
 * headers, credentials in payloads, tokens and passwords at the top level of a log object and up to
 * three levels below it (pino's redaction has no recursive wildcard, so each depth is listed).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'config.*.password',
  ...SECRET_FIELDS.filter((f) => !f.startsWith('"')),
  ...['*.', '*.*.', '*.*.*.'].flatMap((prefix) => SECRET_FIELDS.map((field) => path(prefix, field))),
];
