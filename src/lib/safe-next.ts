/** A same-site path to return to after signing in, or undefined. Never another host. */
export function safeNextPath(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return undefined;
  if (/[\u0000-\u001f\u007f]/.test(value)) return undefined;
  try {
    const url = new URL(value, 'http://rounds.invalid');
    // `/.//evil.example` resolves to the path `//evil.example`, which a browser reads as another host.
    if (url.host !== 'rounds.invalid' || url.pathname.startsWith('//')) return undefined;
    return url.pathname + url.search + url.hash;
  } catch {
    return undefined;
  }
}
