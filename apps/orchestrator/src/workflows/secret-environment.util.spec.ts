import { SecretBox } from '@weft/security';
import { blankSecrets, openSecrets, resealSecrets, sealSecrets } from './secret-environment.util';

const doc = {
  workflow: {
    environment_variables: [
      { name: 'API_KEY', value: 'sk-123', value_type: 'secret' },
      { name: 'REGION', value: 'eu', value_type: 'string' },
    ],
  },
};

describe('secret environment variables', () => {
  const box = new SecretBox({ k1: 'material' }, 'k1', 'env');

  it('are sealed for storage, opened for runs and blanked for default exports; other values stay', () => {
    const sealed = sealSecrets(doc, box);
    expect(JSON.stringify(sealed)).not.toContain('sk-123');
    expect(JSON.stringify(sealed)).toContain('"eu"');
    expect(sealSecrets(sealed, box)).toEqual(sealed);
    expect(openSecrets(sealed, box)).toEqual(doc);
    expect((blankSecrets(sealed)['workflow'] as typeof doc.workflow).environment_variables[0]!.value).toBe('');
  });

  it('seal the API key typed into an http-request node, blank it, and reseal under a new key', () => {
    const withNode = {
      ...doc,
      workflow: {
        ...doc.workflow,
        graph: {
          nodes: [
            {
              data: {
                authorization: { config: { api_key: 'http-key-1', header: 'X-Key', type: 'custom' }, type: 'api-key' },
                type: 'http-request',
              },
              id: 'h',
            },
          ],
        },
      },
    };
    const sealed = sealSecrets(withNode, box);
    expect(JSON.stringify(sealed)).not.toContain('http-key-1');
    expect(JSON.stringify(sealed)).toContain('X-Key');
    expect(openSecrets(sealed, box)).toEqual(withNode);
    expect(JSON.stringify(blankSecrets(sealed))).not.toMatch(/v1:k1:/);
    const rotated = new SecretBox({ k1: 'material', k2: 'other material' }, 'k2', 'env');
    const { changed, document } = resealSecrets(sealed, rotated);
    expect(changed).toBe(2);
    expect(JSON.stringify(document)).not.toContain('v1:k1:');
    expect(openSecrets(document, new SecretBox({ k2: 'other material' }, 'k2', 'env'))).toEqual(withNode);
    expect(resealSecrets(document, rotated).changed).toBe(0);
  });
});
