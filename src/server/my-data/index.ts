// The public face of this domain: pages, Actions and other domains import only this file.
export { deleteMyAccount, exportMyData } from './my-data.ts';
