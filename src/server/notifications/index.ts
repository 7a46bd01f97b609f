// The public face of this domain: pages, Actions and other domains import only this file.
export {
  allowedPushEndpoint,
  deliver,
  forgetOtherDevices,
  forgetSessionDevices,
  pushIsOn,
  subscribeToPush,
  unsubscribeFromPush,
  vapidPublicKey,
} from './push.ts';
export type { DeliverOptions, Delivery, PushMessage } from './push.ts';
