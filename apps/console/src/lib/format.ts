const two = (n: number) => String(n).padStart(2, '0');

/** Unix seconds as a local date and time, `YYYY-MM-DD HH:MM:SS` (cheap: lists format many of them). */
export function formatTime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const d = new Date(seconds * 1000);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** A duration in seconds as ms or s. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(2)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

export function formatPrice(price: string | number | null | undefined, currency: string | null | undefined): string {
  if (price === null || price === undefined || price === '') return '—';
  const n = typeof price === 'number' ? price : Number(price);
  if (Number.isNaN(n)) return String(price);
  return `${n.toFixed(6).replace(/0+$/, '').replace(/\.$/, '')} ${currency ?? 'USD'}`;
}

export function formatJson(value: unknown): string {
  if (value === null || value === undefined) return '—';
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}
