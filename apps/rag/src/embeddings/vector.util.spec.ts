import { cosineSimilarity, normalizeInPlace, toVectorLiteral } from './vector.util';

describe('cosineSimilarity', () => {
  it('is 1 for the same direction, 0 for orthogonal, -1 for opposite', () => {
    expect(cosineSimilarity([1, 2], [2, 4])).toBeCloseTo(1, 12);
    expect(cosineSimilarity([1, 0], [0, 3])).toBe(0);
    expect(cosineSimilarity([1, 1], [-1, -1])).toBeCloseTo(-1, 12);
    expect(cosineSimilarity([3, 4], [4, 3])).toBeCloseTo(24 / 25, 12);
  });

  it('is 0 when a vector is all zeros', () => {
    expect(cosineSimilarity([0, 0], [1, 2])).toBe(0);
  });

  it('rejects vectors of different lengths', () => {
    expect(() => cosineSimilarity([1], [1, 2])).toThrow('Vectors differ in length: 1 and 2');
  });
});

describe('normalizeInPlace', () => {
  it('scales to unit length in place', () => {
    const vector = [3, 4];
    expect(normalizeInPlace(vector)).toBe(vector);
    expect(vector[0]).toBeCloseTo(0.6, 12);
    expect(vector[1]).toBeCloseTo(0.8, 12);
  });

  it('leaves a zero vector as it is', () => {
    expect(normalizeInPlace(new Float64Array(3))).toEqual(new Float64Array(3));
  });
});

describe('toVectorLiteral', () => {
  it('writes pgvector text input', () => {
    expect(toVectorLiteral([1, 0.5, -2, 1e-7])).toBe('[1,0.5,-2,1e-7]');
    expect(toVectorLiteral(new Float32Array([0.25]))).toBe('[0.25]');
    expect(toVectorLiteral([])).toBe('[]');
  });

  it('rejects NaN and infinities', () => {
    expect(() => toVectorLiteral([1, Number.NaN])).toThrow('Vector component 1 is not a finite number');
    expect(() => toVectorLiteral([Number.POSITIVE_INFINITY])).toThrow(RangeError);
  });

  it('rejects components beyond the half-precision range the indexes hold, and keeps those at its edge', () => {
    expect(toVectorLiteral([65504, -65504])).toBe('[65504,-65504]');
    expect(() => toVectorLiteral([0, 65505])).toThrow('Vector component 1 (65505) is beyond ±65504, the range of the half-precision index');
    expect(() => toVectorLiteral([-1e6])).toThrow(RangeError);
  });
});
