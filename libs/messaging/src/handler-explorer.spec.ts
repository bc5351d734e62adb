import { checkHandlerOwnership } from './handler-explorer.service';

describe('checkHandlerOwnership', () => {
  it('accepts one handler per subject', () => {
    expect(checkHandlerOwnership(['system.status.v1'], new Map([['system.status.v1', 1]]))).toEqual([]);
  });

  it('refuses an owned subject without a handler', () => {
    expect(checkHandlerOwnership(['system.status.v1'], new Map())).toEqual([
      'subject "system.status.v1" is owned by this service but has no handler',
    ]);
  });

  it('refuses a subject handled twice', () => {
    expect(checkHandlerOwnership([], new Map([['system.status.v1', 2]]))).toEqual(['subject "system.status.v1" has 2 handlers']);
  });
});
