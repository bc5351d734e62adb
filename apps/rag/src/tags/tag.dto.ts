import { z } from 'zod';

// The bodies of Dify's tag routes (`controllers/service_api/dataset/dataset.py`): names of 1 to 50
// characters, ids as strings (an id that is no tag or dataset of the workspace matches nothing).

const id = z.string({ invalid_type_error: 'must be a string', required_error: 'is required' }).max(100);
const name = z
  .string({ invalid_type_error: 'must be a string', required_error: 'is required' })
  .min(1, 'must be between 1 and 50 characters')
  .max(50, 'must be between 1 and 50 characters');

/** `POST /v1/datasets/tags`. */
export const CreateTagSchema = z.object({ name });

/** `PATCH /v1/datasets/tags`. */
export const UpdateTagSchema = z.object({ name, tag_id: id });

/** `DELETE /v1/datasets/tags`. */
export const DeleteTagSchema = z.object({ tag_id: id });

/** `POST /v1/datasets/tags/binding`: at least one tag (checked after the shape, with Dify's message). */
export const BindTagsSchema = z.object({ tag_ids: z.array(id).max(100), target_id: id });

/** `POST /v1/datasets/tags/unbinding`: `tag_ids`, or Dify's legacy single `tag_id`. */
export const UnbindTagsSchema = z.object({ tag_id: id.nullish(), tag_ids: z.array(id).max(100).default([]), target_id: id });

/** The tag ids of an unbinding: `tag_ids`, or the legacy `tag_id` when `tag_ids` is empty, as Dify reads them. */
export function unbindingTagIds(body: z.infer<typeof UnbindTagsSchema>): string[] {
  return body.tag_ids.length === 0 && body.tag_id ? [body.tag_id] : body.tag_ids;
}

/** A knowledge tag as the rag service reads it. */
export interface TagRow {
  bindingCount: number;
  id: string;
  name: string;
  type: string;
}

/**
 * Dify's `KnowledgeTagResponse`: `binding_count` is a string, as Dify's old field coercion wrote it and
 * its Service API still documents it.
 */
export function toTagResponse(tag: TagRow): { binding_count: string; id: string; name: string; type: string } {
  return { binding_count: String(tag.bindingCount), id: tag.id, name: tag.name, type: tag.type };
}
