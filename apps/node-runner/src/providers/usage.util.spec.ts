import { DEFAULT_PRICE_TABLE } from './default-prices.util';
import { priceUsage, PriceTable } from './usage.util';

describe('priceUsage', () => {
  it('prices like Dify: tokens × unit price × unit, seven decimals, total as the sum', () => {
    const table: PriceTable = { openai: { 'gpt-x': { input: 0.001, output: 0.002, unit: 0.001, currency: 'USD' } } };
    expect(priceUsage('openai', 'gpt-x', { promptTokens: 1033, completionTokens: 128 }, table, 0.768)).toEqual({
      prompt_tokens: 1033,
      prompt_unit_price: '0.001',
      prompt_price_unit: '0.001',
      prompt_price: '0.0010330',
      completion_tokens: 128,
      completion_unit_price: '0.002',
      completion_price_unit: '0.001',
      completion_price: '0.0002560',
      total_tokens: 1161,
      total_price: '0.0012890',
      currency: 'USD',
      latency: 0.768,
    });
  });

  it('uses per-million prices from the default table', () => {
    const usage = priceUsage('openai', 'gpt-4o', { promptTokens: 6, completionTokens: 1 }, DEFAULT_PRICE_TABLE, 1.5);
    expect(usage).toMatchObject({
      prompt_unit_price: '2.5',
      prompt_price_unit: '0.000001',
      prompt_price: '0.0000150',
      completion_price: '0.0000100',
      total_price: '0.0000250',
      currency: 'USD',
    });
  });

  it('rounds half up at the seventh decimal', () => {
    const table: PriceTable = { p: { m: { input: 0.15, output: 0.6, unit: 0.000001, currency: 'USD' } } };
    // 1 × 0.15 × 1e-6 = 0.00000015 → 0.0000002; 3 × 0.15e-6 = 0.00000045 → 0.0000005
    expect(priceUsage('p', 'm', { promptTokens: 1, completionTokens: 0 }, table, 0).prompt_price).toBe('0.0000002');
    expect(priceUsage('p', 'm', { promptTokens: 3, completionTokens: 0 }, table, 0).prompt_price).toBe('0.0000005');
    expect(
      priceUsage('p', 'm', { promptTokens: 1, completionTokens: 0 }, { p: { m: { input: 1, output: 1, unit: 1e-7, currency: 'USD' } } }, 0),
    ).toMatchObject({
      prompt_price_unit: '0.0000001',
      prompt_price: '0.0000001',
    });
  });

  it('prices unknown models at zero', () => {
    expect(priceUsage('openai', 'nope', { promptTokens: 10, completionTokens: 5 }, DEFAULT_PRICE_TABLE, 0.2)).toEqual({
      prompt_tokens: 10,
      prompt_unit_price: '0',
      prompt_price_unit: '0',
      prompt_price: '0',
      completion_tokens: 5,
      completion_unit_price: '0',
      completion_price_unit: '0',
      completion_price: '0',
      total_tokens: 15,
      total_price: '0',
      currency: 'USD',
      latency: 0.2,
    });
  });
});
