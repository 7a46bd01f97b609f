import type { AstroGlobal } from 'astro';

/** For pages that need a signed-in person: the user, or a redirect to sign in that comes back here. */
export function signInRedirect(Astro: AstroGlobal): Response {
  const back = Astro.url.pathname + Astro.url.search;
  return Astro.redirect(`/login?next=${encodeURIComponent(back)}`, 303);
}
