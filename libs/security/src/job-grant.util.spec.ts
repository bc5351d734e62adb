import { JobGrantError, JobGrants } from './job-grant.util';

describe('JobGrants', () => {
  const grants = new JobGrants('a-secret-key-of-the-platform-0123456789');
  const claims = { runId: 'run-1', workspaceId: 'ws-1' };

  it('verifies what it issued, until it expires', () => {
    const grant = grants.issue(claims, 60_000, 1_000);
    expect(grants.verify(grant, 2_000)).toEqual({ ...claims, expiresAt: 61_000 });
    expect(() => grants.verify(grant, 61_000)).toThrow(new JobGrantError('expired'));
  });

  it('refuses a grant signed with another key, or with its claims changed', () => {
    const forged = new JobGrants('the-node-runner-guessed-this-key-012345').issue(claims, 60_000);
    expect(() => grants.verify(forged)).toThrow(new JobGrantError('bad_signature'));
    const [version, , signature] = grants.issue(claims, 60_000).split('.');
    const widened = Buffer.from(JSON.stringify({ ...claims, expiresAt: Date.now() + 60_000, workspaceId: 'ws-2' })).toString('base64url');
    expect(() => grants.verify(`${version}.${widened}.${signature}`)).toThrow(new JobGrantError('bad_signature'));
  });

  it('refuses a missing or malformed grant', () => {
    expect(() => grants.verify(undefined)).toThrow(new JobGrantError('missing'));
    for (const bad of ['x', 'g1.onlytwo', 'g2.a.b', 'g1.a.b.c']) expect(() => grants.verify(bad)).toThrow(new JobGrantError('malformed'));
  });
});
