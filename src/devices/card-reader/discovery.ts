// Which PC/SC reader the kiosk uses, as a data table (STYLE.md P1): each entry says how the
// reader's PC/SC name looks, whether it is known to pass extended-length APDUs, and where
// those values came from. pcscd names a CCID reader "<friendly name> [<USB interface>]
// (<serial>) <nn> <mm>"; the friendly names below are those of libccid's Info.plist
// (Debian libccid 1.5.2, ifdFriendlyName, with the USB ids beside them).
//
// `extendedLength` is what the reader can carry, not what the card can: true means the
// reader is known to pass extended APDUs, false that it is known not to (a card's ATR cannot
// change that), undefined that it was not established here.

export interface ReaderModel {
  readonly id: string;
  readonly description: string;
  /** Matched against the full PC/SC reader name. */
  readonly namePattern: RegExp;
  /** USB ids, for the record and for a udev rule; pcscd itself reports names only. */
  readonly usb?: { readonly vendorId: number; readonly productId: number };
  readonly extendedLength: boolean | undefined;
  /** Lower is preferred when several attached readers match. */
  readonly preference: number;
  /** A software reader (never chosen over a physical one without an explicit pattern). */
  readonly virtual: boolean;
}

export const READER_MODELS: readonly ReaderModel[] = [
  {
    // ACS ACR1252U, one PICC interface next to a SAM interface (the "Dual Reader"); the
    // lookahead keeps the SAM and ICC interfaces out. Extended APDUs: CCID class descriptor
    // dwFeatures 0x00040040 / 0x000404BA "Short and Extended APDU level exchange",
    // dwMaxCCIDMessageLength 522 (LudovicRousseau/CCID readers/ACS_ACR1252_Dual_Reader.txt and
    // readers/ACS_ACR1252_Reader.txt). USB 072F:223B / 072F:223E (libccid Info.plist).
    id: 'acs-acr1252',
    description: 'ACS ACR1252U',
    namePattern: /^ACS ACR1252(?:IMP)? (?:Dual )?Reader(?!.*\b(?:SAM|ICC)\b)/,
    usb: { vendorId: 0x072f, productId: 0x223b },
    extendedLength: true,
    preference: 10,
    virtual: false,
  },
  {
    // HID OMNIKEY 5022 CL, contactless only. Name from libccid Info.plist (076B:5022); also
    // listed with this name in Governikus AusweisApp's reader configuration for the German
    // eID. Extended APDUs: not established here.
    id: 'hid-omnikey-5022',
    description: 'HID OMNIKEY 5022 CL',
    namePattern: /^HID Global OMNIKEY 5022 Smart Card Reader/,
    usb: { vendorId: 0x076b, productId: 0x5022 },
    extendedLength: undefined,
    preference: 20,
    virtual: false,
  },
  {
    // HID OMNIKEY 5422, dual interface (076B:5422, libccid Info.plist "HID Global OMNIKEY 5422
    // Smartcard Reader"; AusweisApp also sees "...5422CL Smartcard Reader" for the contactless
    // slot). The contact slot shares the prefix: configure `readerName` on a 5422 if both
    // appear. Extended APDUs: not established here.
    id: 'hid-omnikey-5422',
    description: 'HID OMNIKEY 5422',
    namePattern: /^HID Global OMNIKEY 5422(?:CL)? Smartcard Reader/,
    usb: { vendorId: 0x076b, productId: 0x5422 },
    extendedLength: undefined,
    preference: 30,
    virtual: false,
  },
  {
    // Identiv uTrust 3700 F (04E6:5790). pcscd name "Identiv uTrust 3700 F CL Reader [uTrust
    // 3700 F CL Reader] (serial) 00 00" (libccid Info.plist); AusweisApp's configuration also
    // lists "Identiv CLOUD 3700 F Contactless Reader" (Windows). Extended APDUs: not
    // established here.
    id: 'identiv-utrust-3700f',
    description: 'Identiv uTrust 3700 F',
    namePattern: /^Identive? (?:uTrust|CLOUD|cloud) 3700 F (?:CL|Contactless) Reader/,
    usb: { vendorId: 0x04e6, productId: 0x5790 },
    extendedLength: undefined,
    preference: 40,
    virtual: false,
  },
  {
    // ACS ACR122U (072F:2200, "ACS ACR122U PICC Interface", libccid Info.plist). Short APDUs
    // only: dwFeatures 0x00020040 "Short APDU level exchange", dwMaxCCIDMessageLength 271
    // (LudovicRousseau/CCID readers/ACR122U_PICC.txt), so no DG2 read in one extended APDU.
    id: 'acs-acr122u',
    description: 'ACS ACR122U',
    namePattern: /^ACS ACR122U?(?: |$)/,
    usb: { vendorId: 0x072f, productId: 0x2200 },
    extendedLength: false,
    preference: 90,
    virtual: false,
  },
  {
    // vsmartcard's vpcd (Debian vsmartcard-vpcd): /etc/reader.conf.d/vpcd has FRIENDLYNAME
    // "Virtual PCD" and pcscd appends the reader and slot numbers ("Virtual PCD 00 00", "... 00
    // 01"). vpcd forwards APDUs as they are: extended ones pass, responses up to the 65535
    // bytes its 2-byte length framing allows (measured in tests/integration/pcsc-*.test.ts).
    id: 'vsmartcard-vpcd',
    description: 'vsmartcard virtual reader (vpcd)',
    namePattern: /^Virtual PCD \d\d \d\d$/,
    extendedLength: true,
    preference: 100,
    virtual: true,
  },
];

/** The table entry a reader name matches, if any (the first in table order). */
export function matchReaderModel(name: string, table: readonly ReaderModel[] = READER_MODELS): ReaderModel | undefined {
  return table.find((m) => m.namePattern.test(name));
}

export interface ReaderSelection {
  readonly name: string;
  readonly model: ReaderModel | undefined;
}

export interface SelectionCriteria {
  /** An explicit pattern (configuration): only names it matches qualify, virtual ones too. */
  readonly pattern?: RegExp | undefined;
  readonly table?: readonly ReaderModel[] | undefined;
}

/**
 * Picks the reader to use among `names`: with a pattern, the first matching name by table
 * preference then by name; without, the most preferred physical reader of the table.
 */
export function selectReader(names: readonly string[], criteria: SelectionCriteria = {}): ReaderSelection | undefined {
  const table = criteria.table ?? READER_MODELS;
  // A configured pattern with the g or y flag would carry state between tests: drop them.
  const pattern = criteria.pattern && new RegExp(criteria.pattern.source, criteria.pattern.flags.replace(/[gy]/g, ''));
  const candidates = names
    .map((name) => ({ name, model: matchReaderModel(name, table) }))
    .filter((c) => (pattern ? pattern.test(c.name) : c.model !== undefined && !c.model.virtual));
  candidates.sort((a, b) => (a.model?.preference ?? 1000) - (b.model?.preference ?? 1000) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return candidates[0];
}
