// Lighthouse (npm `lighthouse`, default mobile settings: Moto G Power viewport,
// simulated slow 4G and 4× CPU slowdown) driving the same Chromium as the other tests.
import { writeFileSync } from 'node:fs';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';

export interface Scores {
  performance: number;
  accessibility: number;
  bestPractices: number;
  /** Audits that cost points, for the log when a score is short. */
  failing: string[];
}

export async function runLighthouse(
  url: string,
  options: { chromiumPath?: string; chromiumArgs: string[]; cookie?: string; reportPath: string },
): Promise<Scores> {
  const chrome = await chromeLauncher.launch({
    chromePath: options.chromiumPath,
    chromeFlags: ['--headless=new', ...options.chromiumArgs],
    logLevel: 'silent',
  });
  try {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility', 'best-practices'],
      extraHeaders: options.cookie ? { Cookie: options.cookie } : undefined,
    });
    if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
    const { lhr } = result;
    writeFileSync(options.reportPath, typeof result.report === 'string' ? result.report : JSON.stringify(lhr));
    if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    const score = (id: string) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
    const failing: string[] = [];
    for (const id of ['performance', 'accessibility', 'best-practices']) {
      for (const ref of lhr.categories[id]?.auditRefs ?? []) {
        const audit = lhr.audits[ref.id];
        if (ref.weight > 0 && audit && audit.score !== null && audit.score < 0.9)
          failing.push(`${id}: ${audit.title}${audit.displayValue ? ` (${audit.displayValue})` : ''}`);
      }
    }
    return {
      performance: score('performance'),
      accessibility: score('accessibility'),
      bestPractices: score('best-practices'),
      failing,
    };
  } finally {
    chrome.kill();
  }
}

/** The run whose performance score is the median (each run's scores stay together). */
export function medianRun(runs: Scores[]): Scores {
  if (runs.length === 0) throw new Error('medianRun: no runs');
  const sorted = [...runs].sort((a, b) => a.performance - b.performance);
  return sorted[Math.floor(sorted.length / 2)]!;
}
