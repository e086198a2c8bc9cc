// backfill.mjs — the 10,000-contact backfill as a user of the official
// GHL Node SDK (@gohighlevel/api-client, pinned in package.json) would
// write it: page through every contact of a location with the SDK's
// contact search, oldest first, following searchAfter, and count them.
//
// make bench runs it against the in-repo GHL sandbox, beside ghlsync's own
// backfill. Environment:
//   GHL_BASE_URL      the sandbox's base URL. The SDK has no base-URL
//                     option; its public static HighLevel.BASE_URL is set
//                     before the client is built (no patching).
//   GHL_TOKEN         a Private Integration Token of the location
//   GHL_LOCATION_ID   the location to page through
//   GHL_PAGE_LIMIT    page size (default 100, the API's maximum)
// It prints one JSON line: {"contacts", "pages", "errors", "wallMs",
// "firstError"}.
// Requests and 429s are counted by the harness in front of the sandbox.
import sdk from '@gohighlevel/api-client';

const { HighLevel } = sdk;
HighLevel.BASE_URL = process.env.GHL_BASE_URL;

const ghl = new HighLevel({
  privateIntegrationToken: process.env.GHL_TOKEN,
  // The contacts API's version, as the README configures it.
  apiVersion: '2021-07-28',
  // The README's documented opt-in: wait out a 429 for the reported burst
  // interval, up to 3 times per request.
  rateLimitRetry: true,
  logLevel: 'error',
});

const locationId = process.env.GHL_LOCATION_ID;
const pageLimit = Number(process.env.GHL_PAGE_LIMIT || 100);

const start = performance.now();
let contacts = 0;
let pages = 0;
let errors = 0;
let firstError = '';
let searchAfter;
for (;;) {
  let page;
  try {
    page = await ghl.contacts.searchContactsAdvanced({
      locationId,
      pageLimit,
      sort: [{ field: 'dateAdded', direction: 'asc' }],
      ...(searchAfter ? { searchAfter } : {}),
    });
  } catch (err) {
    errors++;
    firstError = `page ${pages + 1}: ${err.message}`;
    break;
  }
  pages++;
  const got = page.contacts || [];
  contacts += got.length;
  if (got.length < pageLimit) break;
  searchAfter = got[got.length - 1].searchAfter;
  if (!searchAfter) break;
}
const wallMs = performance.now() - start;
console.log(JSON.stringify({ contacts, pages, errors, wallMs, firstError }));
