/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    user: import('#server/kernel/context.ts').PublicUser | null;
    session: import('#server/accounts/index.ts').SessionWithUser['session'] | null;
    /** The client's address (from X-Forwarded-For only when TRUST_PROXY=true). */
    clientIp: string;
    /** Whether cookies must be Secure (__Host- prefixed). */
    secureCookies: boolean;
  }
}
