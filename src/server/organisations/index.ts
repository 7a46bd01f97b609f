// The public face of this domain: pages, Actions and other domains import only this file.
export {
  addDomain,
  addOrganisationAdmin,
  addOrganisationTeam,
  createOrganisation,
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
