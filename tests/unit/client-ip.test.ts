// Behind a proxy the client address is the one the proxy saw: the client writes whatever it
// likes at the left of X-Forwarded-For, and each proxy appends to the right.
import { describe, expect, it } from 'vitest';
import { clientIpFrom, trustedProxyCount } from '#lib/client-ip.ts';
import { parseSettings } from '#server/platform/settings.ts';

describe('the client address', () => {
  it('is the rightmost entry behind one proxy, whatever the client wrote before it', () => {
    expect(clientIpFrom('6.6.6.6, 203.0.113.7', 1, '10.0.0.1')).toBe('203.0.113.7');
    expect(clientIpFrom('1.1.1.1,2.2.2.2 , 203.0.113.7', 1, '10.0.0.1')).toBe('203.0.113.7');
    expect(clientIpFrom('203.0.113.7', 1, '10.0.0.1')).toBe('203.0.113.7');
  });

  it('skips the entries of further trusted proxies', () => {
    expect(clientIpFrom('6.6.6.6, 203.0.113.7, 10.0.0.2', 2, '10.0.0.1')).toBe('203.0.113.7');
    // A header shorter than the chain: the oldest entry there is.
    expect(clientIpFrom('203.0.113.7', 2, '10.0.0.1')).toBe('203.0.113.7');
  });

  it('is the socket address without a trusted proxy or without the header', () => {
    expect(clientIpFrom('6.6.6.6', 0, '10.0.0.1')).toBe('10.0.0.1');
    expect(clientIpFrom(null, 1, '10.0.0.1')).toBe('10.0.0.1');
    expect(clientIpFrom(' , ', 1, undefined)).toBe('unknown');
  });

  it('TRUST_PROXY takes false, true (one proxy) or a count', () => {
    expect(trustedProxyCount('false')).toBe(0);
    expect(trustedProxyCount('true')).toBe(1);
    expect(parseSettings({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(parseSettings({}).TRUST_PROXY).toBe(0);
    expect(() => parseSettings({ TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY/);
  });
});
