// The public face of this domain: pages, Actions and other domains import only this file.
export {
  type CertificateView,
  certificateForAdmin,
  attestAndIssue,
  certificateMoment,
  certificatePdf,
  findCertificateView,
  findCertificatesForAdmin,
  formatDay,
  heldReason,
  issueCourseCertificate,
  issueEarnedCertificates,
  issuerProfile,
  myCertificates,
  reissueCertificate,
  revokeCertificate,
  signedCredential,
  statusListCredential,
  verificationJson,
} from './certificates.ts';
export { unsupportedCharacters } from './pdf.ts';
export { STATUS_LIST_TTL_SECONDS } from './status-list.ts';
export { certificatesIssuedForEvent, currentCertificatesOfUser, expiringCertificatesByTeam } from './repo.ts';
export { publishedKeys, rotateSigningKey, signingKey } from './signing-keys.ts';
