import {
  createDatasetIndexSql,
  datasetIndexName,
  datasetIndexPrefix,
  dropDatasetIndexSql,
  parseDatasetIndexName,
} from './dataset-vector-index.util';

const id = '3F2504E0-4F89-11D3-9A0C-0305E82C3301';

describe('dataset vector index names and SQL', () => {
  it('names an index by table, dataset and size, within the 63 characters Postgres keeps', () => {
    const name = datasetIndexName('child_chunks', id, 1536);
    expect(name).toBe('child_chunks_ds_3f2504e04f8911d39a0c0305e82c3301_1536_hnsw');
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name.startsWith(datasetIndexPrefix('child_chunks', id))).toBe(true);
  });

  it('reads the dataset and size back from a name, and nothing from other indexes', () => {
    expect(parseDatasetIndexName(datasetIndexName('segments', id, 512))).toEqual({
      datasetId: id.toLowerCase(),
      dimension: 512,
      table: 'segments',
    });
    for (const other of [
      'segments_embedding_512_hnsw',
      'segments_ds_zz_512_hnsw',
      'documents_ds_3f2504e04f8911d39a0c0305e82c3301_512_hnsw',
      "x'; DROP TABLE rag.segments; --",
    ]) {
      expect(parseDatasetIndexName(other)).toBeNull();
    }
  });

  it('refuses what is not a dataset id or an indexed size, so nothing else reaches the SQL', () => {
    expect(() => datasetIndexName('segments', "x'; DROP TABLE rag.segments; --", 512)).toThrow(RangeError);
    expect(() => datasetIndexName('segments', id, 2048)).toThrow(RangeError);
    expect(() => dropDatasetIndexSql('segments_embedding_512_hnsw')).toThrow(RangeError);
  });

  it('builds the partial index with the shared index expression, restricted to the dataset', () => {
    const sql = createDatasetIndexSql('segments', id, 768);
    expect(sql).toContain(
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS "segments_ds_3f2504e04f8911d39a0c0305e82c3301_768_hnsw" ON "rag"."segments"',
    );
    expect(sql).toContain('USING hnsw ((embedding::halfvec(768)) halfvec_cosine_ops)');
    expect(sql).toContain("WHERE embedding_dim = 768 AND dataset_id = '3f2504e0-4f89-11d3-9a0c-0305e82c3301'::uuid");
  });
});
