import { Inject, Injectable } from '@nestjs/common';
import { MessageBus } from '@weft/messaging';
import { AppRepository } from '../apps/app.repository';
import type { AppKeyContext } from './app-key.guard';
import type { AppInfo, AppMeta, AppParameters, AppSite } from './app-info.dto';

/** Upload limits `/v1/parameters` reports, in MB. */
export interface UploadLimits {
  fileSizeLimitMb: number;
}
export const UPLOAD_LIMITS = Symbol('UPLOAD_LIMITS');

const CONTROL_BY_TYPE: Record<string, string> = {
  checkbox: 'checkbox',
  external_data_tool: 'external_data_tool',
  file: 'file',
  'file-list': 'file-list',
  json_object: 'json_object',
  number: 'number',
  paragraph: 'paragraph',
  select: 'select',
  'text-input': 'text-input',
};

/** The language of a WebApp: Dify takes its creator's interface language; Weft keeps none and serves English. */
const SITE_LANGUAGE = 'en-US';

/** What the Service API tells about the app behind a key: `/v1/info`, `/v1/site`, `/v1/meta` and `/v1/parameters`. */
@Injectable()
export class AppInfoService {
  constructor(
    private readonly apps: AppRepository,
    private readonly bus: MessageBus,
    @Inject(UPLOAD_LIMITS) private readonly limits: UploadLimits,
  ) {}

  /** Weft has no app tags, so `tags` is always empty (Dify's answer for an untagged app). */
  async info(ctx: AppKeyContext): Promise<AppInfo> {
    const author = await this.apps.authorName(ctx.app.workspaceId, ctx.app.id);
    return { author_name: author, description: ctx.app.description, mode: ctx.app.mode, name: ctx.app.name, tags: [] };
  }

  /**
   * The WebApp settings Dify keeps in a `sites` row beside each app; Weft serves no WebApp, so they are
   * derived from the app with Dify's defaults for a new site. An image icon has no public URL here.
   */
  site(ctx: AppKeyContext): AppSite {
    const app = ctx.app;
    return {
      chat_color_theme: null,
      chat_color_theme_inverted: false,
      copyright: null,
      custom_disclaimer: '',
      default_language: SITE_LANGUAGE,
      description: app.description,
      icon: app.icon,
      icon_background: app.iconBackground,
      icon_type: app.iconType,
      icon_url: null,
      privacy_policy: null,
      show_workflow_steps: true,
      title: app.name,
      use_icon_as_answer_icon: app.useIconAsAnswerIcon,
    };
  }

  meta(): AppMeta {
    return { tool_icons: {} };
  }

  /** The published workflow's features and start form, in Dify's old `user_input_form` structure. */
  async parameters(ctx: AppKeyContext): Promise<AppParameters> {
    const app = { appId: ctx.app.id, workspaceId: ctx.app.workspaceId };
    // Annotation reply answers chat turns only; a workflow app has none, as in Dify.
    const [form, annotationReply] = await Promise.all([
      this.bus.request('wf.workflow.start-form.v1', { ...app, version: 'published' }),
      ctx.app.mode === 'workflow' ? ({ enabled: false } as const) : this.bus.request('wf.annotation.setting.v1', app),
    ]);
    const features = form.features;
    const variables = form.variables.map((v) => ({ [CONTROL_BY_TYPE[String(v['type'])] ?? 'text-input']: v }));
    const enabled = (key: string) => ({
      enabled: Boolean((features[key] as { enabled?: boolean } | undefined)?.enabled),
      ...(features[key] as object | undefined),
    });
    const mb = this.limits.fileSizeLimitMb;
    return {
      annotation_reply: annotationReply,
      file_upload: features['file_upload'] ?? {
        image: { detail: 'high', enabled: false, number_limits: 3, transfer_methods: ['remote_url', 'local_file'] },
      },
      more_like_this: { enabled: false },
      opening_statement: (features['opening_statement'] as string | undefined) ?? '',
      retriever_resource: enabled('retriever_resource'),
      sensitive_word_avoidance: enabled('sensitive_word_avoidance'),
      speech_to_text: enabled('speech_to_text'),
      suggested_questions: (features['suggested_questions'] as string[] | undefined) ?? [],
      suggested_questions_after_answer: enabled('suggested_questions_after_answer'),
      system_parameters: {
        audio_file_size_limit: mb,
        file_size_limit: mb,
        image_file_size_limit: mb,
        video_file_size_limit: mb,
        workflow_file_upload_limit: 10,
      },
      text_to_speech: enabled('text_to_speech'),
      user_input_form: variables,
    };
  }
}
