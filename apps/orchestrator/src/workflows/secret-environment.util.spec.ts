import { SecretBox } from '@weft/security';
import { blankSecrets, openSecrets, sealSecrets } from './secret-environment.util';

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
});
