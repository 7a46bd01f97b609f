// The public face of this domain: pages, Actions and other domains import only this file.
export {
  addDomain,
  addOrganisationAdmin,
  addOrganisationTeam,
  createOrganisation,
  EXPIRING_WITHIN_DAYS,
  listOrganisations,
  mapScimGroup,
  myOrganisations,
  ORGANISATION_PEOPLE_SHOWN,
  organisationForEmail,
  organisationPage,
  organisationReport,
  organisationReportCsv,
  removeDomain,
  removeOrganisationAdmin,
  removeOrganisationTeam,
  rotateScimToken,
  scimSettings,
} from './organisations.ts';
export { handleScimRequest, SCIM_BASE } from './scim.ts';
