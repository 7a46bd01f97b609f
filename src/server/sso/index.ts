// The public face of this domain: pages, Actions and other domains import only this file.
export {
  beginSsoSignIn,
  finishSsoSignIn,
  providerSignOutUrl,
  redirectUri,
  saveSsoSettings,
  SSO_SCOPES,
  ssoForEmail,
  ssoSettings,
  SsoRefusal,
} from './sso.ts';
export { NO_SECRETS_KEY } from './secrets.ts';
export { clearSsoStateCookie, setSsoStateCookie, ssoStateCookie } from './state-cookie.ts';
