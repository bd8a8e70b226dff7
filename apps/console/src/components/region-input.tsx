import { GENESYS_REGIONS } from '../../../../libs/genesys/src/regions.js';

/** Every Genesys environment, for the region inputs' suggestions (the API also accepts URLs and AWS region names). */
export const REGION_OPTIONS = Object.entries(GENESYS_REGIONS).map(([region, domain]) => ({ region, domain, login: `https://login.${domain}` }));

export function RegionDatalist({ id }: { id: string }) {
  return (
    <datalist id={id}>
      {REGION_OPTIONS.map((r) => (
        <option key={r.domain} value={r.login}>
          {r.region} ({r.domain})
        </option>
      ))}
    </datalist>
  );
}

export const REGION_HINT = 'The login URL you use for Genesys Cloud (e.g. https://login.mypurecloud.ie), an API or apps URL, the bare domain, or the AWS region name.';
