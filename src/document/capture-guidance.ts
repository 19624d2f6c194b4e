// What the kiosk tells the applicant when a document capture is not good enough: stable codes
// (the UI, the visit record and the translations key on them; never rename one) and their
// default English texts, all in one catalogue so that translators find every string here.
// The order of GUIDANCE_CODES is the order of importance: when several apply, the applicant
// sees the first (a second document on the glass matters before a crooked page).

export const GUIDANCE_CODES = [
  'shadeFromLight',
  'placeDocument',
  'removeOtherDocument',
  'moveOntoGlass',
  'photoPageDown',
  'turnDocument',
  'holdStill',
  'placeFlat',
  'straightenDocument',
  'seeAssistant',
] as const;

export type GuidanceCode = (typeof GUIDANCE_CODES)[number];

/** Default (English) texts; other languages are catalogues of the same shape. */
export const GUIDANCE_TEXTS_EN: Readonly<Record<GuidanceCode, string>> = {
  shadeFromLight: 'Close the cover, or shade the glass from the light.',
  placeDocument: 'Place your passport on the glass, photo page face down.',
  removeOtherDocument: 'Remove the other document from the glass.',
  moveOntoGlass: 'Move the passport fully onto the glass.',
  photoPageDown: 'Open the passport at the photo page and place it face down.',
  holdStill: 'Hold still.',
  placeFlat: 'Lay the passport flat on the glass.',
  straightenDocument: 'Line the passport up with the edges of the glass.',
  turnDocument: 'Turn the passport round: the lines of letters at the bottom of the photo page go towards you.',
  seeAssistant: 'This passport cannot be read here. Press the help button: an assistant will come to you.',
};

/** The codes in `codes` without duplicates, most important first. */
export function orderGuidance(codes: Iterable<GuidanceCode>): GuidanceCode[] {
  const set = new Set(codes);
  return GUIDANCE_CODES.filter((c) => set.has(c));
}
