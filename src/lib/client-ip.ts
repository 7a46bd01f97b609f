// The address a request came from, for throttles. Pure: no I/O.
//
// Each proxy appends the address it saw to X-Forwarded-For ("client, proxy1, …"), and the
// client can write anything it likes before that: only the entries our own proxies
// appended can be believed. With `trustedProxies` proxies in front of Rounds, the client
// is the entry that many places from the right — never the leftmost, which the client
// chooses.

/** TRUST_PROXY as a number of proxies: false = 0 (use the socket), true = 1, or a count. */
export function trustedProxyCount(setting: string): number {
  if (setting === 'true') return 1;
  if (setting === 'false') return 0;
  return Number(setting);
}

export function clientIpFrom(
  forwardedFor: string | null | undefined,
  trustedProxies: number,
  socketAddress: string | undefined,
): string {
  if (trustedProxies > 0 && forwardedFor) {
    const entries = forwardedFor
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    // Fewer entries than proxies means a proxy sent none of its own: take the oldest there is.
    const entry = entries[Math.max(0, entries.length - trustedProxies)];
    if (entry) return entry;
  }
  return socketAddress || 'unknown';
}
