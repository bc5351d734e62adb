import { parse } from 'csv-parse/sync';

/**
 * Renders CSV as a markdown table, the way Dify's document extractor does: the first row is the header,
 * line breaks inside cells become spaces. Unlike Dify, pipes inside cells are escaped and short rows are
 * padded, so the table stays a valid table when a cell contains "|" or a row has fewer columns.
 */
export function csvToMarkdown(csv: string): string {
  const rows = parse(csv, { relax_column_count: true, relax_quotes: true, skip_empty_lines: true }) as string[][];
  if (rows.length === 0) return '';
  const width = Math.max(...rows.map((row) => row.length));
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const cells = (row: string[]) => Array.from({ length: width }, (_, i) => escapeCell(row[i] ?? ''));
  const [header, ...body] = rows.map(cells);
  // Dify sizes each separator to its header; at least three dashes keeps it valid for empty headers.
  const separator = header.map((title) => '-'.repeat(Math.max(3, title.length)));
  return [line(header), line(separator), ...body.map(line)].join('\n');
}

function escapeCell(cell: string): string {
  return cell.replace(/\r\n|\r|\n/g, ' ').replace(/\|/g, '\\|');
}
