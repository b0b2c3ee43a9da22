/**
 * Where Kommo's pages disagree on how it answers, the emulator answers as the current reference says by
 * default and can answer the older pages' way, chosen per test: `startKommo({ behaviour: {...} })`. Each
 * choice names its sources; docs/design/sim-kommo.md renders them.
 */

export interface KommoBehaviour {
  /**
   * `POST /api/v4/leads/unsorted/sip` with a `source_uid` already there. 'add' (default): the current reference
   * (https://developers.kommo.com/reference/incoming-leads): "If you attempt to add data that already exists, a
   * tag indicating a duplicate will be added to both of them" — a second incoming lead is made and both carry
   * the tag DUPLICATE_TAG. 'refuse': the older v4 page (https://kommo.com/developers/content/api_v4/incoming-leads,
   * "you will receive an error"): 400 `NotUnique` at `source_uid`.
   */
  unsortedDuplicateSourceUid: 'add' | 'refuse';
  /**
   * `POST /api/v4/calls` where some phones match no entity and others do: not documented. The one real body
   * (https://github.com/amocrm/amocrm-api-php/issues/52) is a 400 `{"_total_items":0,"errors":[{"title":"Entity
   * not found","status":263}]}` with no `request_id`. 'partial' (default): 200, the matched calls written,
   * the misses in `errors` without `request_id`. 'refuse': 400 with that body, nothing written.
   */
  callsPartlyMatched: 'partial' | 'refuse';
}

export const DEFAULT_BEHAVIOUR: Readonly<KommoBehaviour> = Object.freeze({
  unsortedDuplicateSourceUid: 'add',
  callsPartlyMatched: 'partial',
});

/** The tag both copies of a repeated incoming lead carry (the reference does not name it). */
export const DUPLICATE_TAG = 'Duplicate';
export const DUPLICATE_TAG_ID = 899_999;
