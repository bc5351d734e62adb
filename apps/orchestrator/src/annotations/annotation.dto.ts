import type { AnnotationRecord } from '@weft/contracts';
import type { AnnotationRow } from './annotation.repository';

/** An annotation as Dify's Service API answers it. */
export function toAnnotationRecord(row: AnnotationRow): AnnotationRecord {
  return {
    answer: row.answer,
    created_at: Math.floor(row.createdAt.getTime() / 1000),
    hit_count: row.hitCount,
    id: row.id,
    question: row.question,
  };
}
