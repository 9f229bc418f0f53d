/** A plain-text table; a cell may hold several lines. */
export function table(headers: string[], rows: string[][]): string {
  const split = rows.map((r) => r.map((c) => String(c ?? '').split('\n')));
  const widths = headers.map((h, i) => Math.max(h.length, ...split.map((r) => Math.max(...(r[i] ?? ['']).map((l) => l.length)))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  const out = [line(headers), line(widths.map((w) => '-'.repeat(w)))];
  for (const r of split) {
    const height = Math.max(...r.map((c) => c.length));
    for (let k = 0; k < height; k++) out.push(line(headers.map((_, i) => r[i]?.[k] ?? '')));
  }
  return out.join('\n');
}

export function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
