import type { PriceTable } from './usage.util';

const PER_MILLION = 0.000001;

/**
 * Example list prices in USD per million tokens, so usage shows plausible costs out of the box. They are
 * a snapshot, not a source of truth: deployments should override them from config with their own rates.
 */
export const DEFAULT_PRICE_TABLE: PriceTable = {
  anthropic: {
    'claude-3-5-haiku-latest': { input: 0.8, output: 4, unit: PER_MILLION, currency: 'USD' },
    'claude-3-7-sonnet-latest': { input: 3, output: 15, unit: PER_MILLION, currency: 'USD' },
    'claude-opus-4-20250514': { input: 15, output: 75, unit: PER_MILLION, currency: 'USD' },
    'claude-sonnet-4-20250514': { input: 3, output: 15, unit: PER_MILLION, currency: 'USD' },
  },
  openai: {
    'gpt-4.1': { input: 2, output: 8, unit: PER_MILLION, currency: 'USD' },
    'gpt-4.1-mini': { input: 0.4, output: 1.6, unit: PER_MILLION, currency: 'USD' },
    'gpt-4.1-nano': { input: 0.1, output: 0.4, unit: PER_MILLION, currency: 'USD' },
    'gpt-4o': { input: 2.5, output: 10, unit: PER_MILLION, currency: 'USD' },
    'gpt-4o-mini': { input: 0.15, output: 0.6, unit: PER_MILLION, currency: 'USD' },
    'o3-mini': { input: 1.1, output: 4.4, unit: PER_MILLION, currency: 'USD' },
  },
};
