import type { SsrfGuard } from '@weft/outbound-http';
import type { ToolCallContext, ToolMessage } from '../tool-runtime.types';
import { speechToText, textToSpeech } from './audio.tools';
import { deleteTool, insertTool, parseTool, replaceTool } from './json-process.tools';
import { evalExpression } from './maths.tools';
import { regexExtract } from './regex.tools';
import { tavilyExtract, tavilySearch } from './tavily.tools';
import { currentTime, localtimeToTimestamp, timestampToLocaltime, timezoneConversion, weekday } from './time.tools';
import { webscraper } from './webscraper.tools';

/** One built-in tool's code. */
export type BuiltinToolCall = (params: Record<string, unknown>, ctx: ToolCallContext) => ToolMessage[] | Promise<ToolMessage[]>;

/** Where built-in tools that call a service find it (settings of the node runner). */
export interface BuiltinToolSettings {
  /** The guard model provider calls go through (PROVIDER_ALLOWED_HOSTS), for the audio tools. */
  providerGuard: SsrfGuard;
  tavilyBaseUrl: string;
}

/**
 * The code of every built-in tool, by provider and tool name; the catalog in @weft/workflow
 * (`BUILTIN_TOOL_PROVIDERS`) describes them, and a unit test keeps the two the same.
 */
export function builtinToolCalls(settings: BuiltinToolSettings): Record<string, Record<string, BuiltinToolCall>> {
  return {
    audio: {
      asr: (params, ctx) => speechToText(params, ctx, settings.providerGuard),
      tts: (params, ctx) => textToSpeech(params, ctx, settings.providerGuard),
    },
    json_process: { delete: deleteTool, insert: insertTool, parse: parseTool, replace: replaceTool },
    maths: { eval_expression: evalExpression },
    regex: { regex_extract: regexExtract },
    tavily: {
      tavily_extract: (params, ctx) => tavilyExtract(settings.tavilyBaseUrl, params, ctx),
      tavily_search: (params, ctx) => tavilySearch(settings.tavilyBaseUrl, params, ctx),
    },
    time: {
      current_time: (params) => currentTime(params),
      localtime_to_timestamp: localtimeToTimestamp,
      timestamp_to_localtime: timestampToLocaltime,
      timezone_conversion: timezoneConversion,
      weekday,
    },
    webscraper: { webscraper },
  };
}
