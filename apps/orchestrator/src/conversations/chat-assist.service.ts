import { Injectable } from '@nestjs/common';
import { type ConversationTurn, MessageErrors } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { JobGrants } from '@weft/security';
import { isPlainObject } from '@weft/workflow';
import { WorkflowCache } from '../workflows/workflow-cache.service';

const NAME_PROMPT =
  'You write titles for conversations. Reply with a title of at most ten words for the conversation that starts with ' +
  "the user's message below, in the language of that message, as plain text without quotes or punctuation at the end.";
const SUGGEST_PROMPT =
  'Predict the three questions the user is most likely to ask next, each shorter than 20 words, in the language of the ' +
  'assistant\'s last answer. Reply with a JSON array of three strings and nothing else, for example ["question 1","question 2","question 3"].';
const MAX_NAME_LENGTH = 75;
const FALLBACK_NAME_LENGTH = 47;
/** How long the node runner may use the workspace's credentials for one helper call (its own timeout is shorter). */
const ASSIST_GRANT_TTL_MS = 2 * 60_000;

/** The app a helper writes for. */
export interface AssistedApp {
  appId: string;
  workspaceId: string;
}

/** What the app's published workflow says about its model and its features, read once per call. */
interface AppProfile {
  features: Record<string, unknown>;
  model: Record<string, unknown> | null;
}

/**
 * Model-written helpers around a conversation: its title and the questions to suggest after an answer.
 * The calls go to a node runner (which holds the provider clients and credentials) with the model of the
 * app's first LLM node in its published workflow.
 */
@Injectable()
export class ChatAssistService {
  constructor(
    private readonly bus: MessageBus,
    private readonly workflows: WorkflowCache,
    private readonly grants: JobGrants,
  ) {}

  /** The grant that lets the node runner use this app's workspace credentials for one model call. */
  private grantFor(ctx: AssistedApp): string {
    return this.grants.issue({ runId: `assist:${ctx.appId}`, workspaceId: ctx.workspaceId }, ASSIST_GRANT_TTL_MS);
  }

  /** A short title for a conversation from its first query; the query itself, shortened, when the model cannot answer. */
  async conversationName(ctx: AssistedApp, query: string): Promise<string> {
    const fallback = query.length > FALLBACK_NAME_LENGTH + 3 ? `${query.slice(0, FALLBACK_NAME_LENGTH)}...` : query;
    const { model } = await this.profile(ctx);
    if (!model || query.trim() === '') return fallback || 'New conversation';
    try {
      const { text } = await this.bus.request('wf.model.generate.v1', {
        appId: ctx.appId,
        messages: [
          { content: NAME_PROMPT, role: 'system' },
          { content: query, role: 'user' },
        ],
        grant: this.grantFor(ctx),
        model,
        workspaceId: ctx.workspaceId,
      });
      const name =
        text
          .split('\n')
          .map((l) => l.trim())
          .find((l) => l !== '')
          ?.replace(/^["'“”]+|["'“”.]+$/g, '') ?? '';
      return name === '' ? fallback : name.slice(0, MAX_NAME_LENGTH);
    } catch {
      return fallback;
    }
  }

  /**
   * Up to three follow-up questions after an answer. Dify refuses when the feature is off; a model that
   * fails or answers something that is not a list gives no suggestions rather than an error.
   */
  async suggestedQuestions(ctx: AssistedApp, turns: ConversationTurn[]): Promise<string[]> {
    const { features, model } = await this.profile(ctx);
    const setting = features['suggested_questions_after_answer'];
    if (!isPlainObject(setting) || setting['enabled'] !== true) throw MessageErrors.suggestedQuestionsDisabled();
    if (!model) return [];
    const history = turns.map((t) => `Human: ${t.query}\nAssistant: ${t.answer}`).join('\n');
    try {
      const { text } = await this.bus.request('wf.model.generate.v1', {
        appId: ctx.appId,
        messages: [
          { content: SUGGEST_PROMPT, role: 'system' },
          { content: history, role: 'user' },
        ],
        grant: this.grantFor(ctx),
        model,
        workspaceId: ctx.workspaceId,
      });
      return parseQuestions(text);
    } catch {
      return [];
    }
  }

  private async profile(ctx: AssistedApp): Promise<AppProfile> {
    const workflow = await this.workflows.load(ctx.workspaceId, ctx.appId, 'published');
    if (!workflow?.app.graph) return { features: {}, model: null };
    const llm = Object.values(workflow.app.graph.nodes).find((n) => n.type === 'llm' && isPlainObject(n.data['model']));
    return { features: workflow.app.features, model: llm ? (llm.data['model'] as Record<string, unknown>) : null };
  }
}

/** The first JSON array of strings in a model's reply, at most three of them. */
export function parseQuestions(text: string): string[] {
  const start = text.indexOf('[');
  const end = text.lastIndexOf(']');
  if (start < 0 || end <= start) return [];
  try {
    const value: unknown = JSON.parse(text.slice(start, end + 1));
    return Array.isArray(value) ? value.filter((q): q is string => typeof q === 'string' && q.trim() !== '').slice(0, 3) : [];
  } catch {
    return [];
  }
}
