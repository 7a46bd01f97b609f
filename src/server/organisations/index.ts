// The public face of this domain: pages, Actions and other domains import only this file.
export {
  addDomain,
  addOrganisationAdmin,
  addOrganisationTeam,
  createOrganisation,
  listOrganisations,
  managedOrganisation,
  myOrganisations,
  ORGANISATION_PEOPLE_SHOWN,
  organisationDomains,
  organisationForEmail,
  organisationPage,
  organisationReport,
  organisationReportCsv,
  removeDomain,
  removeOrganisationAdmin,
  removeOrganisationTeam,
} from './organisations.ts';
