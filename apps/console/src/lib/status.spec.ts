import { nodeLabel, nodeStatusLine, statusColor } from './status';

describe('node status text', () => {
  it('names a node by its title and status, "not run" without one', () => {
    expect(nodeLabel('Greet', 'succeeded')).toBe('Greet: succeeded');
    expect(nodeLabel('Greet', null)).toBe('Greet: not run');
    expect(nodeLabel('Greet', undefined)).toBe('Greet: not run');
  });

  it('shows the status with its duration when known', () => {
    expect(nodeStatusLine('succeeded', 0.012)).toBe('succeeded · 12 ms');
    expect(nodeStatusLine('running', undefined)).toBe('running');
    expect(nodeStatusLine('failed', null)).toBe('failed');
    expect(nodeStatusLine(null, 1)).toBe('not run');
  });

  it('colours an unknown status gray', () => {
    expect(statusColor('succeeded')).toBe('green');
    expect(statusColor('something-new')).toBe('gray');
  });
});
