/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    user: import('#server/kernel/context.ts').PublicUser | null;
    session: import('#server/accounts/index.ts').SessionWithUser['session'] | null;
    /** The client's address (the address our proxy saw in X-Forwarded-For when TRUST_PROXY is set). */
    clientIp: string;
    /** Whether cookies must be Secure (__Host- prefixed). */
    secureCookies: boolean;
    /** Set by the HTTP server when it refused this request's body as too large, unread (src/server/platform/request-body.ts). */
    refusedBody?: { limit: number };
  }
}
