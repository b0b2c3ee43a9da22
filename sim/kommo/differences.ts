/**
 * Where the emulator knowingly differs from real Kommo, or chose where Kommo's documentation is silent,
 * each with the reason. docs/design/sim-kommo.md renders this list; keep one in step with the other.
 */
export interface KnownDifference {
  what: string;
  reason: string;
}

export const DIFFERENCES: readonly KnownDifference[] = [
  { what: 'Plain HTTP on 127.0.0.1 with one account; `_links` point at the emulator (`http://127.0.0.1:<port>/…`), not `https://{subdomain}.kommo.com`.', reason: 'Tests run on loopback only; links that point back at the emulator can be followed by a client under test.' },
  { what: 'The 403 block after repeated 429s starts after BLOCK_AFTER_429_COUNT (20) answers of 429 within 60 s and lasts 15 minutes.', reason: 'Kommo says only "repeatedly" and unblocks through support; the numbers are chosen (limits.ts) and configurable.' },
  { what: 'The 429 body is the documented JSON (`retry_after: 300`) by default; `tooManyRequestsBody: "html"` sends the nginx page seen in the field. Neither sends a Retry-After header.', reason: 'Kommo\'s docs and field reports disagree (amocrm-api-php #526); a client must cope with both.' },
  { what: 'The rate limit counts every request to /api/v4 and /oauth2 on one sliding second, per emulator (not per IP or per token).', reason: 'One emulator stands for one account seen from one IP, which is how hookline uses Kommo.' },
  { what: '`?query=` on contacts and companies is a case-insensitive substring match on names and field values, and on phone digits when the query looks like a number (3 or more digits).', reason: 'Kommo does not document how query matches; integrations in the field treat it as a substring search.' },
  { what: '`POST /api/v4/calls` with no entity for any item answers 400 `{"_total_items":0,"errors":[{"request_id","title":"Entity not found","status":263}]}`; a batch where some items match answers 200 with the rest in `errors`.', reason: 'Only the start of the real body is known (amocrm-api-php #52; `status: 263` from a third-party test of live behaviour); the mixed-batch answer is not documented.' },
  { what: 'A call is attached to the contact with the lowest id among those with the phone when several share it; a company is looked at only when no contact has the phone (then the lowest id again, and its only active lead before the company itself).', reason: 'Kommo says "the contact or company" with the number without saying which comes first or which one it picks.' },
  { what: 'A lead is linked to one company: `_embedded.companies: [{id}]` on `POST`/`PATCH /api/v4/leads` (more than one is refused) or `company_id` in a lead seed; companies have no linked contacts, and `GET /api/v4/companies` takes `with=leads` only.', reason: 'hookline links a lead it creates for a company\'s call to that company, and reads a company\'s leads to know where a call went.' },
  { what: 'A body that is not JSON answers 400 "Request data can not be empty", as an empty body does.', reason: 'Kommo\'s PHP side decodes invalid JSON to nothing; the wording for this case is not documented.' },
  { what: 'A write whose body is JSON but not an array answers 400 `validation-errors` with `InvalidType` at path "".', reason: 'Not documented; chosen to keep the Kommo validation shape.' },
  { what: 'A missing required field gives code `NotBlank` ("This value should not be blank."); an unknown id in a PATCH list gives `NotFound` at `id`; a duplicate `source_uid` in incoming leads gives `NotUnique`.', reason: 'Kommo documents `NotSupportedChoice`, `InvalidType` and (field) `NotNullable` only; the others follow Symfony\'s validator, which Kommo\'s messages come from.' },
  { what: 'Incoming leads are identified by `source_uid`: adding one whose `source_uid` exists answers 400.', reason: 'Kommo says two identical incoming leads give an error without saying what "identical" means.' },
  { what: 'Accepting or declining an unknown uid answers 404 "Entity not found"; one already handled answers 400.', reason: 'Not documented.' },
  { what: 'Declining an incoming lead marks its lead and contacts deleted (absent from lists and from call matching).', reason: 'Kommo removes declined incoming leads; the emulator keeps them in state() so tests can see what happened.' },
  { what: 'A new incoming SIP lead gets a lead named "Incoming call <phone>" unless `_embedded.leads[0].name` is sent; a contact is created only from `_embedded.contacts[0]`.', reason: 'Kommo\'s naming and contact creation for bare SIP leads are not documented.' },
  { what: 'Every 401 says "Invalid user name or password", for missing, unknown and expired tokens alike.', reason: 'That is the one documented 401 body; the wording for expired tokens is not known.' },
  { what: 'OAuth errors use the field\'s OAuthProblemJson body with league/oauth2-server hints ("Token has been revoked", "Cannot decrypt the refresh token", "Client authentication failed" with 401).', reason: 'Kommo does not document its OAuth errors.' },
  { what: 'Old access tokens stay valid until they expire after a refresh; using a refresh token revokes every older refresh token.', reason: 'Kommo documents only that the old refresh token works until the new one is used.' },
  { what: 'Calls are stored as call records (`state().calls`), not as `call_in`/`call_out` notes, and there is no endpoint to list them.', reason: 'Kommo exposes calls as notes; tests need the call fields, not the note wrapper.' },
  { what: 'Only the most recent 10,000 call records and 10,000 tasks are kept (`maxCallsAndTasksKept`); older ones are gone from `state()`, `GET /api/v4/tasks` and `GET /api/v4/tasks/:id`.', reason: 'The demo (`npm start` without a PBX) runs the emulator inside hookline for as long as hookline runs, a call every few seconds; Kommo keeps them all.' },
  { what: 'Customers, notes other than the call notes of contacts, companies and leads, webhooks, `leads/complex`, `If-Modified-Since` and the 402 payment state are not emulated.', reason: 'hookline does not use them.' },
  { what: 'A route that throws answers 500 with Kommo\'s 500 body; 502, 503 and 504 faults answer nginx HTML pages.', reason: 'Kommo\'s 500 is JSON (http-codes page); gateway errors come from its nginx edge.' },
];
