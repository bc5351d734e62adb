import { z } from 'zod';

/** `GET /v1/info`: `author_name` is the name of the account that created the app (null when it is gone). */
export const AppInfoSchema = z.object({
  author_name: z.string().nullable(),
  description: z.string(),
  mode: z.string(),
  name: z.string(),
  tags: z.array(z.string()),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

/** `GET /v1/site`: the WebApp settings, in Dify's `Site` shape. */
export const AppSiteSchema = z.object({
  chat_color_theme: z.string().nullable(),
  chat_color_theme_inverted: z.boolean(),
  copyright: z.string().nullable(),
  custom_disclaimer: z.string(),
  default_language: z.string(),
  description: z.string().nullable(),
  icon: z.string().nullable(),
  icon_background: z.string().nullable(),
  icon_type: z.string().nullable(),
  icon_url: z.string().nullable(),
  privacy_policy: z.string().nullable(),
  show_workflow_steps: z.boolean(),
  title: z.string(),
  use_icon_as_answer_icon: z.boolean(),
});
export type AppSite = z.infer<typeof AppSiteSchema>;

/** `GET /v1/meta`. */
export const AppMetaSchema = z.object({ tool_icons: z.record(z.string(), z.unknown()) });
export type AppMeta = z.infer<typeof AppMetaSchema>;

const feature = z.object({ enabled: z.boolean() }).passthrough();

/** `GET /v1/parameters`: the published workflow's features and start form, in Dify's `user_input_form` structure. */
export const AppParametersSchema = z.object({
  annotation_reply: feature,
  file_upload: z.unknown(),
  more_like_this: feature,
  opening_statement: z.string(),
  retriever_resource: feature,
  sensitive_word_avoidance: feature,
  speech_to_text: feature,
  suggested_questions: z.array(z.string()),
  suggested_questions_after_answer: feature,
  system_parameters: z.record(z.string(), z.number()),
  text_to_speech: feature,
  user_input_form: z.array(z.record(z.string(), z.unknown())),
});
export type AppParameters = z.infer<typeof AppParametersSchema>;
