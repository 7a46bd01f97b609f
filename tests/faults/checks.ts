// A tiny result collector for the fault scenarios: each check is printed as it
// happens, and the runner exits non-zero when any failed.
export class Scenario {
  readonly name: string;
  readonly results: { ok: boolean; what: string }[] = [];
  readonly figures: string[] = [];

  constructor(name: string) {
    this.name = name;
    console.log(`\n── ${name} ──`);
  }

  check(ok: boolean, what: string): boolean {
    this.results.push({ ok, what });
    console.log(`  ${ok ? '✓' : '✗'} ${what}`);
    return ok;
  }

  figure(line: string): void {
    this.figures.push(line);
    console.log(`  · ${line}`);
  }

  get ok(): boolean {
    return this.results.length > 0 && this.results.every((r) => r.ok);
  }
}

export function header(
  headers: Record<string, string | string[] | undefined> | Headers,
  name: string,
): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
