import type { TokenUsage } from './provider.types';

/** One model's prices: `input`/`output` per `unit` tokens' worth, e.g. 2.5 with unit 0.000001 = $2.50 per 1M. */
export interface ModelPrice {
  input: number;
  output: number;
  unit: number;
  currency: string;
}

/** Prices by provider short name, then model name. */
export type PriceTable = Record<string, Record<string, ModelPrice>>;

/** Dify's usage object; prices are decimal strings, latency is seconds. */
export interface DifyUsage {
  prompt_tokens: number;
  prompt_unit_price: string;
  prompt_price_unit: string;
  prompt_price: string;
  completion_tokens: number;
  completion_unit_price: string;
  completion_price_unit: string;
  completion_price: string;
  total_tokens: number;
  total_price: string;
  currency: string;
  latency: number;
}

// Dify rounds each price to 7 decimal places, half up.
const PRICE_SCALE = 7;

/**
 * Prices a call the way Dify does: price = tokens × unit_price × price_unit, rounded half-up to seven
 * decimals, total = prompt + completion. Decimal arithmetic (BigInt) so results match Dify's Decimal to
 * the digit. An unknown provider or model prices at zero ("0") in USD, as in Dify.
 */
export function priceUsage(provider: string, model: string, usage: TokenUsage, priceTable: PriceTable, latencySeconds: number): DifyUsage {
  const price = priceTable[provider]?.[model];
  const totalTokens = usage.promptTokens + usage.completionTokens;
  if (!price) {
    return {
      prompt_tokens: usage.promptTokens,
      prompt_unit_price: '0',
      prompt_price_unit: '0',
      prompt_price: '0',
      completion_tokens: usage.completionTokens,
      completion_unit_price: '0',
      completion_price_unit: '0',
      completion_price: '0',
      total_tokens: totalTokens,
      total_price: '0',
      currency: 'USD',
      latency: latencySeconds,
    };
  }
  const unit = toDecimal(price.unit);
  const promptPrice = quantize(multiply(multiply(toDecimal(usage.promptTokens), toDecimal(price.input)), unit));
  const completionPrice = quantize(multiply(multiply(toDecimal(usage.completionTokens), toDecimal(price.output)), unit));
  return {
    prompt_tokens: usage.promptTokens,
    prompt_unit_price: formatDecimal(toDecimal(price.input)),
    prompt_price_unit: formatDecimal(unit),
    prompt_price: formatDecimal(promptPrice),
    completion_tokens: usage.completionTokens,
    completion_unit_price: formatDecimal(toDecimal(price.output)),
    completion_price_unit: formatDecimal(unit),
    completion_price: formatDecimal(completionPrice),
    total_tokens: totalTokens,
    total_price: formatDecimal({ digits: promptPrice.digits + completionPrice.digits, scale: PRICE_SCALE }),
    currency: price.currency,
    latency: latencySeconds,
  };
}

/** A non-negative decimal as integer digits and a count of decimal places. */
interface Decimal {
  digits: bigint;
  scale: number;
}

function toDecimal(value: number): Decimal {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`Price values must be finite and non-negative, got ${value}`);
  // String(1e-7) is "1e-7": expand the exponent form into plain digits.
  const [mantissa, exponentText] = String(value).toLowerCase().split('e');
  const exponent = Number(exponentText ?? 0);
  const [whole, fraction = ''] = mantissa.split('.');
  let digits = BigInt(whole + fraction);
  let scale = fraction.length - exponent;
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { digits, scale };
}

function multiply(a: Decimal, b: Decimal): Decimal {
  return { digits: a.digits * b.digits, scale: a.scale + b.scale };
}

function quantize(value: Decimal): Decimal {
  if (value.scale <= PRICE_SCALE) return { digits: value.digits * 10n ** BigInt(PRICE_SCALE - value.scale), scale: PRICE_SCALE };
  const divisor = 10n ** BigInt(value.scale - PRICE_SCALE);
  const quotient = value.digits / divisor;
  const remainder = value.digits % divisor;
  return { digits: remainder * 2n >= divisor ? quotient + 1n : quotient, scale: PRICE_SCALE };
}

function formatDecimal(value: Decimal): string {
  const text = value.digits.toString().padStart(value.scale + 1, '0');
  if (value.scale === 0) return text;
  return `${text.slice(0, text.length - value.scale)}.${text.slice(text.length - value.scale)}`;
}
