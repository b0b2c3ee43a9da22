/**
 * Kommo's fixed ids and names that hookline relies on, named once.
 * Every pipeline has the two closed statuses with these ids (developers.kommo.com, "Leads pipelines and stages").
 */
export const LEAD_STATUS_WON = 142;
export const LEAD_STATUS_LOST = 143;

/** A lead in won or lost is closed: a call is never attached to it and no new lead is skipped for it. */
export function isClosedLeadStatus(statusId: number): boolean {
  return statusId === LEAD_STATUS_WON || statusId === LEAD_STATUS_LOST;
}
