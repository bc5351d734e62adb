import { DomainError } from '@weft/contracts';
import { SecretBox } from '@weft/security';
import { sealLegacy } from '@weft/testing';
import { blankSecrets, openSecrets, resealSecrets, sealSecrets, secretsOf } from './secret-environment.util';

const doc = {
  workflow: {
    environment_variables: [
      { name: 'API_KEY', value: 'sk-123', value_type: 'secret' },
      { name: 'REGION', value: 'eu', value_type: 'string' },
    ],
  },
};
const APP = { appId: '11111111-1111-4111-8111-111111111111', workspaceId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' };
const OTHER_APP = { ...APP, appId: '22222222-2222-4222-8222-222222222222' };
const OTHER_WORKSPACE = { ...APP, workspaceId: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' };

function envValue(document: Record<string, unknown>, index = 0): unknown {
  return (document['workflow'] as typeof doc.workflow).environment_variables[index]!.value;
}

function withEnvValue(value: string): Record<string, unknown> {
  return { workflow: { environment_variables: [{ name: 'API_KEY', value, value_type: 'secret' }] } };
}

describe('secret environment variables', () => {
  const box = new SecretBox({ k1: 'material' }, 'k1', 'env');

  it('are sealed for storage, opened for runs and blanked for default exports; other values stay', () => {
    const sealed = sealSecrets(doc, box, APP);
    expect(JSON.stringify(sealed)).not.toContain('sk-123');
    expect(JSON.stringify(sealed)).toContain('"eu"');
    expect(envValue(sealed)).toMatch(/^v2:k1:/);
    expect(sealSecrets(sealed, box, APP)).toEqual(sealed);
    expect(openSecrets(sealed, box, APP)).toEqual(doc);
    // Ids as a caller may spell them open the same values.
    expect(openSecrets(sealed, box, { appId: APP.appId.toUpperCase(), workspaceId: APP.workspaceId.toUpperCase() })).toEqual(doc);
    expect(envValue(blankSecrets(sealed))).toBe('');
  });

  it('do not open in another app or workspace: the run fails with app_unavailable, and no ciphertext becomes a value', () => {
    const sealed = sealSecrets(doc, box, APP);
    for (const owner of [OTHER_APP, OTHER_WORKSPACE]) {
      let error: unknown;
      try {
        openSecrets(sealed, box, owner);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'app_unavailable', message: expect.stringContaining(`app "${owner.appId}"`) });
      expect((error as Error).message).toContain('(mismatch)');
    }
  });

  it('keep a value sealed for this app as it is, but take an old-format lookalike from a request as the plain value', () => {
    const mine = sealSecrets(doc, box, APP);
    expect(sealSecrets(mine, box, APP)).toEqual(mine);
    // Someone pasting an old unbound value into a draft must not get it bound to their app by the upgrade.
    const pasted = sealLegacy('material', 'k1', 'env', 'sk-of-another-workspace');
    const stored = sealSecrets(withEnvValue(pasted), box, APP);
    expect(envValue(stored)).toMatch(/^v2:k1:/);
    expect(envValue(openSecrets(stored, box, APP))).toBe(pasted);
    expect(secretsOf(openSecrets(stored, box, APP))).toEqual([pasted]);
  });

  it('refuse a stored old-format value at a run, then open it once the upgrade bound it to the app it was stored in', () => {
    const legacy = withEnvValue(sealLegacy('material', 'k1', 'env', 'sk-from-before'));
    expect(() => openSecrets(legacy, box, APP)).toThrow(/\(legacy\)/);
    const upgraded = resealSecrets(legacy, box, APP, { legacyOnly: true });
    expect(upgraded).toMatchObject({ changed: 1, refused: 0 });
    expect(envValue(upgraded.document)).toMatch(/^v2:k1:/);
    expect(envValue(openSecrets(upgraded.document, box, APP))).toBe('sk-from-before');
    expect(() => openSecrets(upgraded.document, box, OTHER_APP)).toThrow(/\(mismatch\)/);
    expect(resealSecrets(upgraded.document, box, APP, { legacyOnly: true }).changed).toBe(0);
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
    const sealed = sealSecrets(withNode, box, APP);
    expect(JSON.stringify(sealed)).not.toContain('http-key-1');
    expect(JSON.stringify(sealed)).toContain('X-Key');
    expect(openSecrets(sealed, box, APP)).toEqual(withNode);
    expect(JSON.stringify(blankSecrets(sealed))).not.toMatch(/v2:k1:/);
    const rotated = new SecretBox({ k1: 'material', k2: 'other material' }, 'k2', 'env');
    // Only the old format is touched by the upgrade's pass: nothing here.
    expect(resealSecrets(sealed, rotated, APP, { legacyOnly: true }).changed).toBe(0);
    const { changed, document } = resealSecrets(sealed, rotated, APP);
    expect(changed).toBe(2);
    expect(JSON.stringify(document)).not.toContain('v2:k1:');
    expect(openSecrets(document, new SecretBox({ k2: 'other material' }, 'k2', 'env'), APP)).toEqual(withNode);
    expect(resealSecrets(document, rotated, APP).changed).toBe(0);
    // A rotation never binds a copied value to the row it was found in.
    const copied = resealSecrets(sealed, rotated, OTHER_WORKSPACE);
    expect(copied).toMatchObject({ changed: 0, refused: 2 });
    expect(copied.document).toEqual(sealed);
  });
});
