import { groupChildHits } from './child-chunk-hits.util';

describe('groupChildHits', () => {
  const parentOf = new Map([
    ['c1', 'p1'],
    ['c2', 'p2'],
    ['c3', 'p1'],
    ['c4', 'p3'],
  ]);

  it('answers one parent per group of children, scored by its best child, children best first', () => {
    const grouped = groupChildHits(
      [
        { id: 'c2', score: 0.9 },
        { id: 'c3', score: 0.8 },
        { id: 'c1', score: 0.85 },
        { id: 'c4', score: 0.2 },
      ],
      parentOf,
    );
    expect(grouped).toEqual([
      { childChunks: [{ id: 'c2', score: 0.9 }], id: 'p2', score: 0.9 },
      {
        childChunks: [
          { id: 'c1', score: 0.85 },
          { id: 'c3', score: 0.8 },
        ],
        id: 'p1',
        score: 0.85,
      },
      { childChunks: [{ id: 'c4', score: 0.2 }], id: 'p3', score: 0.2 },
    ]);
  });

  it('drops children whose parent is gone and orders equal scores by id', () => {
    expect(groupChildHits([{ id: 'gone', score: 1 }], parentOf)).toEqual([]);
    const tied = groupChildHits(
      [
        { id: 'c4', score: 0.5 },
        { id: 'c2', score: 0.5 },
      ],
      parentOf,
    );
    expect(tied.map((p) => p.id)).toEqual(['p2', 'p3']);
  });
});
