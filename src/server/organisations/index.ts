// The public face of this domain: pages, Actions and other domains import only this file.
export {
  addDomain,
  addOrganisationAdmin,
  addOrganisationTeam,
  createOrganisation,
  listOrganisations,
  myOrganisations,
  ORGANISATION_PEOPLE_SHOWN,
  organisationForEmail,
  managedOrganisation,
  organisationPage,
  organisationReport,
  publishPathToOrganisation,
  organisationReportCsv,
  removeDomain,
  removeOrganisationAdmin,
  removeOrganisationTeam,
} from './organisations.ts';
