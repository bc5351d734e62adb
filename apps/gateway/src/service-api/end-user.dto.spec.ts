import { isoSeconds, toEndUserDetail } from './end-user.dto';

describe('toEndUserDetail', () => {
  it('answers a Service API end user in Dify`s shape: the user string is its session and external id', () => {
    const row = {
      appId: '8c4b1f0e-3a52-4d8e-9a53-0d5f2b3c4d5e',
      createdAt: new Date('2024-01-16T12:00:29.734Z'),
      id: '1f2e3d4c-5b6a-4789-8abc-def012345678',
      sessionId: 'abc-123',
      type: 'service_api',
      workspaceId: '11223344-5566-4788-99aa-bbccddeeff00',
    };
    expect(toEndUserDetail(row)).toEqual({
      app_id: row.appId,
      created_at: '2024-01-16T12:00:29Z',
      external_user_id: 'abc-123',
      id: row.id,
      is_anonymous: false,
      name: null,
      session_id: 'abc-123',
      tenant_id: row.workspaceId,
      type: 'service_api',
      updated_at: '2024-01-16T12:00:29Z',
    });
  });

  it('writes times to the second in UTC, as Dify does', () => {
    expect(isoSeconds(new Date('2026-12-06T23:59:59.999+01:00'))).toBe('2026-12-06T22:59:59Z');
  });
});
