import type { BuiltinToolProviderSpec, ToolParameterSpec, ToolSpec } from './tool.types';

// The built-in tools Weft provides, with Dify's provider, tool and parameter names so a Dify export's
// tool nodes import unchanged. The node runner holds their implementations (apps/node-runner/src/tools);
// this catalog is what the import, the console and the agent node's function definitions read.

const llm = (name: string, type: ToolParameterSpec['type'], description: string, required = true): ToolParameterSpec => ({
  description,
  form: 'llm',
  name,
  required,
  type,
});

const form = (
  name: string,
  type: ToolParameterSpec['type'],
  description: string,
  extra: Partial<Pick<ToolParameterSpec, 'default' | 'options' | 'required'>> = {},
): ToolParameterSpec => ({ description, form: 'form', name, required: false, type, ...extra });

const ENSURE_ASCII = form('ensure_ascii', 'boolean', 'Escape non-ASCII characters in the JSON written back', { default: true });
const VALUE_DECODE = form('value_decode', 'boolean', 'Decode the new value as JSON before writing it', { default: false });

const TIME_TOOLS: readonly ToolSpec[] = [
  {
    description: 'A tool for getting the current time.',
    name: 'current_time',
    parameters: [
      form('format', 'string', 'Time format in strftime standard.', { default: '%Y-%m-%d %H:%M:%S %Z' }),
      form('timezone', 'select', 'Timezone (IANA name, e.g. Europe/Berlin)', { default: 'UTC' }),
    ],
  },
  {
    description: 'A tool for calculating the weekday of a date.',
    name: 'weekday',
    parameters: [llm('year', 'number', 'Year'), llm('month', 'number', 'Month (1-12)'), llm('day', 'number', 'Day of the month')],
  },
  {
    description: 'A tool to convert a time (%Y-%m-%d %H:%M:%S) from one timezone to another.',
    name: 'timezone_conversion',
    parameters: [
      llm('current_time', 'string', 'The time to convert, as %Y-%m-%d %H:%M:%S'),
      llm('current_timezone', 'string', 'The timezone of the time, e.g. Asia/Shanghai'),
      llm('target_timezone', 'string', 'The timezone to convert to, e.g. Asia/Tokyo'),
    ],
  },
  {
    description: 'A tool to convert a local time (%Y-%m-%d %H:%M:%S) to a Unix timestamp.',
    name: 'localtime_to_timestamp',
    parameters: [
      llm('localtime', 'string', 'The local time, as %Y-%m-%d %H:%M:%S'),
      llm('timezone', 'string', 'Timezone of the time', false),
    ],
  },
  {
    description: 'A tool to convert a Unix timestamp to a local time (%Y-%m-%d %H:%M:%S).',
    name: 'timestamp_to_localtime',
    parameters: [llm('timestamp', 'number', 'Unix timestamp in seconds'), llm('timezone', 'string', 'Timezone to show the time in', false)],
  },
];

const JSON_PROCESS_TOOLS: readonly ToolSpec[] = [
  {
    description: 'A tool for extracting content from JSON with a JSONPath filter.',
    name: 'parse',
    parameters: [
      llm('content', 'string', 'JSON content'),
      llm('json_filter', 'string', 'JSONPath filter, e.g. $.data.items[0].name'),
      ENSURE_ASCII,
    ],
  },
  {
    description: 'A tool for inserting a value into JSON at a JSONPath.',
    name: 'insert',
    parameters: [
      llm('content', 'string', 'JSON content'),
      llm('query', 'string', 'JSONPath of the place to insert at'),
      llm('new_value', 'string', 'The value to insert'),
      llm('index', 'number', 'Position in an array to insert at (appended when absent)', false),
      form('create_path', 'boolean', 'Create the path when it does not exist', { default: false }),
      VALUE_DECODE,
      ENSURE_ASCII,
    ],
  },
  {
    description: 'A tool for replacing keys, values or text patterns in JSON at a JSONPath.',
    name: 'replace',
    parameters: [
      llm('content', 'string', 'JSON content'),
      llm('query', 'string', 'JSONPath of what to replace'),
      llm('replace_pattern', 'string', 'Text to replace (replace_model "pattern")', false),
      llm('replace_value', 'string', 'The replacement'),
      form('replace_model', 'select', 'What to replace: a text pattern in the values, the key, or the whole value', {
        options: ['pattern', 'key', 'value'],
        required: true,
      }),
      VALUE_DECODE,
      ENSURE_ASCII,
    ],
  },
  {
    description: 'A tool for deleting what a JSONPath matches from JSON.',
    name: 'delete',
    parameters: [llm('content', 'string', 'JSON content'), llm('query', 'string', 'JSONPath of what to delete'), ENSURE_ASCII],
  },
];

const TAVILY_TOOLS: readonly ToolSpec[] = [
  {
    description:
      'A search engine tool built specifically for AI agents (LLMs), delivering real-time, accurate, and factual results at speed.',
    name: 'tavily_search',
    parameters: [
      llm('query', 'string', 'The search query'),
      form('search_depth', 'select', 'basic or advanced', { default: 'basic', options: ['basic', 'advanced'] }),
      form('topic', 'select', 'The category of the search', { default: 'general', options: ['general', 'news', 'finance'] }),
      form('days', 'number', 'Days back from today to include (news)', { default: 7 }),
      form('time_range', 'select', 'Time range back from today', { options: ['day', 'week', 'month', 'year'] }),
      form('max_results', 'number', 'Maximum number of results', { default: 5 }),
      form('include_answer', 'boolean', 'Include a short answer', { default: false }),
      form('include_images', 'boolean', 'Include image URLs', { default: false }),
      form('include_image_descriptions', 'boolean', 'Include image descriptions', { default: false }),
      form('include_raw_content', 'boolean', 'Include the parsed page content', { default: false }),
      form('include_domains', 'string', 'Domains to search in (comma or space separated)'),
      form('exclude_domains', 'string', 'Domains to leave out (comma or space separated)'),
    ],
  },
  {
    description: 'Extracts the content of one or more web pages.',
    name: 'tavily_extract',
    parameters: [
      llm('urls', 'string', 'URLs to extract (comma or space separated, at most 20)'),
      form('extract_depth', 'select', 'basic or advanced', { default: 'basic', options: ['basic', 'advanced'] }),
      form('include_images', 'boolean', 'Include image URLs', { default: false }),
    ],
  },
];

// Dify lists the workspace's speech models as the options of `model` (`provider#model`) and adds one
// `voice#provider#model` parameter per model at run time; Weft takes any `openai#…` or
// `openai_api_compatible#…` model and reads the voice parameter of the chosen one.
const SPEECH_MODEL = (kind: string) =>
  form('model', 'select', `The ${kind} model, as provider#model (openai or openai_api_compatible, e.g. openai#tts-1).`, {
    required: true,
  });

const AUDIO_TOOLS: readonly ToolSpec[] = [
  {
    description: 'Convert text to audio file.',
    name: 'tts',
    parameters: [llm('text', 'string', 'The text to be converted.'), SPEECH_MODEL('text-to-speech')],
  },
  {
    description: 'Convert audio file to text.',
    name: 'asr',
    parameters: [llm('audio_file', 'file', 'The audio file to be converted.'), SPEECH_MODEL('speech-to-text')],
  },
];

/** Every built-in provider, by Dify's short provider name. */
export const BUILTIN_TOOL_PROVIDERS: Readonly<Record<string, BuiltinToolProviderSpec>> = {
  audio: {
    credentials: [],
    description: "A tool for tts and asr, through the workspace's openai or openai_api_compatible model credentials.",
    label: 'Audio',
    name: 'audio',
    tools: AUDIO_TOOLS,
  },
  json_process: {
    credentials: [],
    description: 'Insert, delete, replace and parse within JSON with JSONPath.',
    label: 'JSON Process',
    name: 'json_process',
    tools: JSON_PROCESS_TOOLS,
  },
  maths: {
    credentials: [],
    description: 'A tool for evaluating mathematical expressions.',
    label: 'Maths',
    name: 'maths',
    tools: [
      {
        description: 'A tool for evaluating a mathematical expression, e.g. 2 * (3 + 4) / 7.',
        name: 'eval_expression',
        parameters: [llm('expression', 'string', 'The mathematical expression to evaluate')],
      },
    ],
  },
  regex: {
    credentials: [],
    description: 'A tool for regex extraction.',
    label: 'Regex',
    name: 'regex',
    tools: [
      {
        description: 'A tool for extracting matching content using regular expressions.',
        name: 'regex_extract',
        parameters: [llm('content', 'string', 'Content to be extracted'), llm('expression', 'string', 'Regular expression')],
      },
    ],
  },
  tavily: {
    credentials: [{ name: 'tavily_api_key', required: true, type: 'secret-input' }],
    description: 'Tavily search and extract, built for AI agents. Needs a Tavily API key.',
    label: 'Tavily',
    name: 'tavily',
    tools: TAVILY_TOOLS,
  },
  time: { credentials: [], description: 'A tool for getting the current time.', label: 'CurrentTime', name: 'time', tools: TIME_TOOLS },
  webscraper: {
    credentials: [],
    description: 'Web Scraper tool kit is used to scrape web pages.',
    label: 'WebScraper',
    name: 'webscraper',
    tools: [
      {
        description: 'A tool for scraping webpages. Input should be a URL.',
        name: 'webscraper',
        parameters: [
          llm('url', 'string', 'url for scraping'),
          form('user_agent', 'string', 'used for identifying the browser.', {
            default: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
          }),
          form('generate_summary', 'boolean', 'Weft returns the page text; summaries are not generated', { default: false }),
        ],
      },
    ],
  },
};

/**
 * A provider id as Dify writes it (`time`, or since plugins `langgenius/time/time`) reduced to the short
 * name the catalog, the credentials and the console use.
 */
export function shortToolProviderName(providerId: string): string {
  return providerId.split('/').pop()!.trim().toLowerCase();
}

/** The built-in provider a Dify provider id names, or undefined. */
export function builtinToolProvider(providerId: string): BuiltinToolProviderSpec | undefined {
  const name = shortToolProviderName(providerId);
  return Object.hasOwn(BUILTIN_TOOL_PROVIDERS, name) ? BUILTIN_TOOL_PROVIDERS[name] : undefined;
}

/** A built-in tool by Dify's provider id and tool name, or undefined. */
export function builtinToolSpec(providerId: string, toolName: string): ToolSpec | undefined {
  return builtinToolProvider(providerId)?.tools.find((tool) => tool.name === toolName);
}
