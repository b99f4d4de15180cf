// Turns benchmark rows into a Markdown table (with ratios to each peer) and a small SVG bar chart.
export interface Row {
  client: string;
  scenario: string;
  opsPerSec: number;
  p50Us: number;
  p99Us: number;
  cpuUsPerOp: number;
  unsupported?: string;
}

const OURS = 'nest-redis-cluster';

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function markdownTable(rows: Row[], scenarios: string[], clients: string[]): string {
  const lines = ['| scenario | client | ops/s | p50 µs | p99 µs | CPU µs/op | ours ÷ this (ops/s) | ours ÷ this (CPU/op) |', '|---|---|---:|---:|---:|---:|---:|---:|'];
  for (const scenario of scenarios) {
    const ours = rows.find((r) => r.scenario === scenario && r.client === OURS);
    for (const client of clients) {
      const r = rows.find((x) => x.scenario === scenario && x.client === client);
      if (!r) continue;
      if (r.unsupported) {
        lines.push(`| ${scenario} | ${client} | n/a | | | | | ${r.unsupported} |`);
        continue;
      }
      const ratio = ours && client !== OURS && !ours.unsupported ? `${fmt(ours.opsPerSec / r.opsPerSec, 2)}×` : '';
      const cpuRatio = ours && client !== OURS && !ours.unsupported ? `${fmt(ours.cpuUsPerOp / r.cpuUsPerOp, 2)}×` : '';
      lines.push(`| ${scenario} | ${client} | ${fmt(r.opsPerSec)} | ${fmt(r.p50Us)} | ${fmt(r.p99Us)} | ${fmt(r.cpuUsPerOp, 1)} | ${ratio} | ${cpuRatio} |`);
    }
  }
  return lines.join('\n');
}

const COLORS = ['#d94f3d', '#4a78c2', '#7fa7e0', '#5aa469', '#999999'];

export function svgChart(rows: Row[], scenarios: string[], clients: string[]): string {
  const width = 900;
  const rowHeight = 16;
  const groupGap = 18;
  const left = 150;
  const chartWidth = width - left - 120;
  const max = Math.max(...rows.filter((r) => !r.unsupported).map((r) => r.opsPerSec), 1);
  const parts: string[] = [];
  let y = 40;
  for (const scenario of scenarios) {
    parts.push(`<text x="10" y="${y + rowHeight}" font-size="13" font-weight="bold">${scenario}</text>`);
    clients.forEach((client, i) => {
      const r = rows.find((x) => x.scenario === scenario && x.client === client);
      const w = r && !r.unsupported ? (r.opsPerSec / max) * chartWidth : 0;
      parts.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${rowHeight - 3}" fill="${COLORS[i % COLORS.length]}"/>`);
      parts.push(`<text x="${left + w + 5}" y="${y + rowHeight - 5}" font-size="11">${r ? (r.unsupported ? 'n/a' : `${fmt(r.opsPerSec)} ops/s`) : ''}</text>`);
      y += rowHeight;
    });
    y += groupGap;
  }
  const legend = clients
    .map((c, i) => `<rect x="${10 + i * 200}" y="10" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/><text x="${26 + i * 200}" y="21" font-size="12">${c}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${legend}${parts.join('')}</svg>\n`;
}
