// Prerendered pages (lessons, the catalogue, 404, 500) are the same for everyone, so their
// header carries both link sets. A non-secret hint cookie, set and cleared together with the
// HttpOnly session cookie, tells a one-line script in <head> which set to show before the body
// paints. It proves nothing: every page and Action still checks the session itself.

export const SIGNED_IN_HINT_COOKIE = 'rounds_signed_in';

/**
 * Inline in <head> of prerendered pages. astro.config.mjs allows exactly this text by its
 * SHA-256 in the Content Security Policy, so any change here is picked up by the next build.
 */
export const SIGNED_IN_HINT_SCRIPT = `/(?:^|;\\s*)${SIGNED_IN_HINT_COOKIE}=1(?:;|$)/.test(document.cookie)&&document.documentElement.classList.add('signed-in')`;
