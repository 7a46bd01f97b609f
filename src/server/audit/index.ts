// The public face of this domain: pages, Actions and other domains import only this file.
export { listAuditEntries, recordAudit } from './repo.ts';
