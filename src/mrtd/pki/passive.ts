// Passive authentication (ICAO 9303-11 §5.1, certificate profiles of 9303-12): EF.SOD's
// signature, the document signer → CSCA path, the DS certificate's validity and revocation,
// the CSCA's country against the issuing state, and each data group read against its hash.
// Every step is reported as a check; nothing here throws on bad input. Details name fields and
// certificates (institutional data), never the holder's data.
import { createHash } from 'node:crypto';
import { errorSummary, ParseError } from '../../errors.js';
import { equalsConstantTime } from '../../util/bytes.js';
import { schemeName, signatureScheme } from './algorithm.js';
import { decodeEfSod, decodeSignedData, verifySignedData, type SignedData } from './cms.js';
import { alpha2ForIssuingState } from './countries.js';
import { findRevocation, verifyCrl, type Crl } from './crl.js';
import { parseLdsSecurityObject } from '../lds/sod-content.js';
import { formatName, nameCountry } from './name.js';
import { hashNameFromOid, ICAO_OIDS, type HashName } from './oids.js';
import { verifySignature, type EcdsaVerifyExplicit } from './signature.js';
import { describeKey } from './spki.js';
import { crlsNamingIssuer, issuerCandidates, type TrustAnchor, type TrustStore } from './trust-store.js';
import { isValidAt, serialHex, type Certificate } from './x509.js';

export type PassiveCode =
  | 'SOD_MALFORMED'
  | 'SOD_SIGNATURE_INVALID'
  | 'DS_CERT_UNTRUSTED'
  | 'DS_CERT_EXPIRED'
  | 'DS_CERT_REVOKED'
  | 'COUNTRY_MISMATCH'
  | 'DG_HASH_MISMATCH'
  | 'DG_MISSING_FROM_SOD';

export type CheckResult = 'pass' | 'fail' | 'not-performed';

export interface PassiveCheck {
  /** Stable identifier: sod.parse, sod.signature, ds.issuer, ds.certificate-signature, ds.profile, csca.validity, ds.validity, ds.revocation, country, dg.DG<n>. */
  readonly id: string;
  readonly result: CheckResult;
  readonly code?: PassiveCode;
  readonly detail?: string;
}

export interface SignerSummary {
  readonly dsSubject: string;
  readonly dsIssuer: string;
  readonly dsSerial: string;
  readonly dsNotBefore: string;
  readonly dsNotAfter: string;
  readonly dsKey: string;
  readonly signatureAlgorithm: string;
  readonly digestAlgorithm: string | undefined;
  readonly ldsHashAlgorithm: string;
  /** The signingTime attribute, or undefined when EF.SOD has none. */
  readonly signingTime: string | undefined;
  /** The time the DS validity was checked at (signingTime, else `now`). */
  readonly checkedAt: string;
  readonly csca: { readonly subject: string; readonly serial: string; readonly source: string; readonly via: TrustAnchor['via'] } | undefined;
}

export interface PassiveResult {
  readonly verdict: 'pass' | 'fail';
  /** The codes of the failed checks, each once, in check order. */
  readonly failures: readonly PassiveCode[];
  readonly checks: readonly PassiveCheck[];
  readonly signer: SignerSummary | undefined;
}

export interface PassiveInput {
  /** EF.SOD exactly as read (tag 77 included). */
  readonly sod: Buffer;
  /** Files read from the chip, raw bytes as read, by name ("DG1", "DG2", ...; "EF.DG1" accepted). Other names are ignored. */
  readonly files: ReadonlyMap<string, Buffer> | Readonly<Record<string, Buffer>>;
  /** The issuing state from the MRZ: alpha-3, or "D" for Germany (fillers allowed). */
  readonly issuingState: string;
  readonly trustStore: TrustStore;
  readonly now: Date;
  /** Extra issuing-state codes → alpha-2, e.g. { UTO: 'UT' } for specimen documents. */
  readonly extraStates?: Readonly<Record<string, string>>;
  readonly ecdsaVerifyExplicit?: EcdsaVerifyExplicit;
}

const REQUIRED = ['sod.signature', 'ds.issuer', 'ds.certificate-signature'];
const DG_NAME = /^(?:EF\.)?DG([1-9]|1[0-6])$/i;

/** The LDSSecurityObject as passive authentication uses it (parsed by lds/sod-content.ts). */
interface LdsHashes {
  readonly hashAlgorithm: HashName;
  readonly dataGroupHashes: readonly { readonly dataGroup: number; readonly hash: Buffer }[];
}

interface ParsedSod {
  readonly sd: SignedData;
  readonly lds: LdsHashes;
}

function parseSod(bytes: Buffer): ParsedSod {
  const sd = decodeEfSod(bytes);
  if (sd.eContentType !== ICAO_OIDS.ldsSecurityObject) throw new ParseError('EF.SOD', 'eContentType is not id-icao-mrtd-security-ldsSecurityObject');
  if (sd.signerInfos.length !== 1) throw new ParseError('EF.SOD', `${sd.signerInfos.length} signer infos where one is expected`);
  if (!sd.eContent) throw new ParseError('EF.SOD', 'no encapsulated content');
  const lso = parseLdsSecurityObject(sd.eContent);
  // An unknown hash leaves no data group verifiable: the SOD is unusable, not merely unverified.
  const hashAlgorithm = hashNameFromOid(lso.hashAlgorithm.algorithm);
  if (!hashAlgorithm) throw new ParseError('LDSSecurityObject', `unsupported hash algorithm ${lso.hashAlgorithm.algorithm}`);
  return { sd, lds: { hashAlgorithm, dataGroupHashes: lso.dataGroupHashes } };
}

export function passiveAuthentication(input: PassiveInput): PassiveResult {
  const checks: PassiveCheck[] = [];
  const add = (id: string, result: CheckResult, code?: PassiveCode, detail?: string): void => {
    checks.push({ id, result, ...(result === 'fail' && code ? { code } : {}), ...(detail !== undefined ? { detail } : {}) });
  };
  const skip = (ids: readonly string[], detail: string): void => {
    for (const id of ids) add(id, 'not-performed', undefined, detail);
  };
  const later = ['ds.issuer', 'ds.certificate-signature', 'ds.profile', 'csca.validity', 'ds.validity', 'ds.revocation', 'country'];

  let parsed: ParsedSod;
  try {
    parsed = parseSod(input.sod);
    add('sod.parse', 'pass');
  } catch (e) {
    add('sod.parse', 'fail', 'SOD_MALFORMED', errorSummary(e));
    skip(['sod.signature', ...later], 'EF.SOD did not parse');
    return finish(checks, undefined);
  }
  const { sd, lds } = parsed;
  const signer = checkSigner(sd, input, 'sod', add, skip);
  // 6. Data groups (9303-11 §5.1.1 step 3).
  checkDataGroups(input, lds, add);
  return finish(checks, signer && { ...signer, ldsHashAlgorithm: lds.hashAlgorithm });
}

/** What checking a signed object's signer needs (EF.SOD, EF.CardSecurity). */
export type SignerCheckInput = Pick<PassiveInput, 'issuingState' | 'trustStore' | 'now' | 'extraStates' | 'ecdsaVerifyExplicit'>;

/**
 * Steps 1–5 of passive authentication for any signed security object: its signature, the
 * signer → CSCA path, validity, revocation and country. `prefix` names the object's checks
 * ('sod' → sod.signature; 'cardSecurity' → cardSecurity.signature); the signer checks keep
 * their ds.* / csca.* / country ids.
 */
function checkSigner(sd: SignedData, input: SignerCheckInput, prefix: string, add: Add, skip: (ids: readonly string[], detail: string) => void): Omit<SignerSummary, 'ldsHashAlgorithm'> | undefined {
  const later = ['ds.issuer', 'ds.certificate-signature', 'ds.profile', 'csca.validity', 'ds.validity', 'ds.revocation', 'country'];
  const opts = input.ecdsaVerifyExplicit ? { ecdsaVerifyExplicit: input.ecdsaVerifyExplicit } : {};

  // 1. The signature with the document signer certificate the object carries (9303-11 §5.1.1 step 1).
  const v = verifySignedData(sd, opts);
  const ds = v.signerCertificate;
  if (v.valid) add(`${prefix}.signature`, 'pass');
  else add(`${prefix}.signature`, 'fail', 'SOD_SIGNATURE_INVALID', `${v.failure ?? 'invalid'}: ${v.detail ?? ''}`);
  const when = v.signingTime ?? input.now;

  if (!ds) {
    skip(later, 'no document signer certificate in the signed object');
    return undefined;
  }
  // 2. DS → CSCA (9303-11 §5.1.1 step 2): a CSCA from the trust store whose key verifies the DS certificate.
  const candidates = issuerCandidates(input.trustStore, ds).sort(
    (a, b) => Number(isValidAt(b.certificate.validity, when)) - Number(isValidAt(a.certificate.validity, when)),
  );
  let csca: TrustAnchor | undefined;
  if (candidates.length === 0) {
    add('ds.issuer', 'fail', 'DS_CERT_UNTRUSTED', 'no CSCA in the trust store matches the issuer of the document signer certificate');
    add('ds.certificate-signature', 'not-performed', undefined, 'no issuing CSCA');
  } else {
    add('ds.issuer', 'pass', undefined, `${candidates.length} candidate CSCA certificate(s)`);
    let lastDetail = 'signature does not verify';
    for (const c of candidates) {
      try {
        const r = verifySignature(c.certificate.subjectPublicKeyInfo, ds.signatureAlgorithm, ds.tbs, ds.signatureValue, opts);
        if (r.valid) {
          csca = c;
          break;
        }
        lastDetail = `${r.reason}: ${r.detail}`;
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        lastDetail = errorSummary(e);
      }
    }
    if (csca) add('ds.certificate-signature', 'pass', undefined, `issued by ${formatName(csca.certificate.subject)}`);
    else add('ds.certificate-signature', 'fail', 'DS_CERT_UNTRUSTED', `no candidate CSCA key verifies the DS certificate (${lastDetail})`);
  }

  // The DS certificate profile (9303-12 §7.1.1 Table 6): digitalSignature, no unknown critical extension.
  const ku = ds.extensions.keyUsage;
  if (ku && !ku.has('digitalSignature')) add('ds.profile', 'fail', 'DS_CERT_UNTRUSTED', 'keyUsage lacks digitalSignature');
  else if (ds.extensions.unhandledCritical.length > 0) {
    add('ds.profile', 'fail', 'DS_CERT_UNTRUSTED', `unknown critical extension ${ds.extensions.unhandledCritical.join(', ')}`);
  } else add('ds.profile', 'pass');

  if (csca) {
    if (isValidAt(csca.certificate.validity, when)) add('csca.validity', 'pass');
    else add('csca.validity', 'fail', 'DS_CERT_UNTRUSTED', `CSCA certificate not valid at ${when.toISOString()}`);
  } else add('csca.validity', 'not-performed', undefined, 'no issuing CSCA');

  // 3. DS validity at the signing time; the private key usage period too when the SOD states its signing time.
  checkDsValidity(ds, when, v.signingTime !== undefined, add);

  // 4. Revocation, only with CRLs that the issuing CSCA signed.
  if (csca) checkRevocation(ds, csca.certificate, input, opts, add);
  else add('ds.revocation', 'not-performed', undefined, 'no issuing CSCA');

  // 5. Country: the CSCA's (else the DS issuer's) country against the MRZ issuing state.
  checkCountry(ds, csca?.certificate, input, add);

  const scheme = signatureScheme(sd.signerInfos[0]!.signatureAlgorithm, v.digestAlgorithm);
  return {
    dsSubject: formatName(ds.subject),
    dsIssuer: formatName(ds.issuer),
    dsSerial: serialHex(ds.serialNumber),
    dsNotBefore: ds.validity.notBefore.toISOString(),
    dsNotAfter: ds.validity.notAfter.toISOString(),
    dsKey: describeKey(ds.subjectPublicKeyInfo),
    signatureAlgorithm: scheme ? schemeName(scheme) : sd.signerInfos[0]!.signatureAlgorithm.oid,
    digestAlgorithm: v.digestAlgorithm,
    signingTime: v.signingTime?.toISOString(),
    checkedAt: when.toISOString(),
    csca: csca
      ? { subject: formatName(csca.certificate.subject), serial: serialHex(csca.certificate.serialNumber), source: csca.source, via: csca.via }
      : undefined,
  };
}


type Add = (id: string, result: CheckResult, code?: PassiveCode, detail?: string) => void;

function checkDsValidity(ds: Certificate, when: Date, fromSigningTime: boolean, add: Add): void {
  const at = `${fromSigningTime ? 'signing time' : 'now'} ${when.toISOString()}`;
  if (!isValidAt(ds.validity, when)) {
    add('ds.validity', 'fail', 'DS_CERT_EXPIRED', `document signer certificate not valid at ${at}`);
    return;
  }
  const pkup = ds.extensions.privateKeyUsagePeriod;
  // The usage period bounds when the key may sign (RFC 5280 §4.2.1.4 [obsolete there, kept by
  // ICAO 9303-12]); against `now` it would fail every document read after the signer retired.
  if (fromSigningTime && pkup) {
    const t = when.getTime();
    if ((pkup.notBefore && t < pkup.notBefore.getTime()) || (pkup.notAfter && t > pkup.notAfter.getTime())) {
      add('ds.validity', 'fail', 'DS_CERT_EXPIRED', `signing time ${when.toISOString()} outside the private key usage period`);
      return;
    }
  }
  add('ds.validity', 'pass', undefined, `checked at ${at}`);
}

function checkRevocation(ds: Certificate, csca: Certificate, input: SignerCheckInput, opts: { ecdsaVerifyExplicit?: EcdsaVerifyExplicit }, add: Add): void {
  const verified: Crl[] = [];
  let rejected = 0;
  for (const c of crlsNamingIssuer(input.trustStore, csca)) {
    if (verifyCrl(c.crl, csca, opts).valid) verified.push(c.crl);
    else rejected++;
  }
  const note = rejected > 0 ? ` (${rejected} CRL(s) naming this CSCA ignored: signature does not verify)` : '';
  if (verified.length === 0) {
    add('ds.revocation', 'not-performed', undefined, `no CRL signed by the issuing CSCA${note}`);
    return;
  }
  for (const crl of verified) {
    const entry = findRevocation(crl, ds.serialNumber);
    if (entry) {
      add('ds.revocation', 'fail', 'DS_CERT_REVOKED', `revoked on ${entry.revocationDate.toISOString()}${entry.reason ? ` (${entry.reason})` : ''}`);
      return;
    }
  }
  const current = verified.filter((c) => c.nextUpdate === undefined || c.nextUpdate.getTime() >= input.now.getTime());
  if (current.length === 0) add('ds.revocation', 'not-performed', undefined, `only CRLs past their nextUpdate${note}`);
  else add('ds.revocation', 'pass', undefined, `not listed in ${current.length} current CRL(s)${note}`);
}

function checkCountry(ds: Certificate, csca: Certificate | undefined, input: SignerCheckInput, add: Add): void {
  const expected = alpha2ForIssuingState(input.issuingState, input.extraStates);
  const from = csca ? 'CSCA' : 'document signer issuer';
  const country = csca ? nameCountry(csca.subject) : nameCountry(ds.issuer);
  const dsCountry = nameCountry(ds.subject);
  if (expected === undefined) add('country', 'fail', 'COUNTRY_MISMATCH', 'issuing state code is not a known ICAO code');
  else if (country === undefined) add('country', 'fail', 'COUNTRY_MISMATCH', `${from} certificate has no single country attribute`);
  else if (country !== expected) add('country', 'fail', 'COUNTRY_MISMATCH', `${from} country ${country} differs from issuing state ${expected}`);
  // 9303-12 §7.1.1: the document signer belongs to the CSCA's country.
  else if (dsCountry !== undefined && dsCountry !== country) add('country', 'fail', 'COUNTRY_MISMATCH', `document signer country ${dsCountry} differs from ${from} country ${country}`);
  else add('country', 'pass', undefined, `${from} country ${country}`);
}

function checkDataGroups(input: PassiveInput, lds: LdsHashes, add: Add): void {
  const files = input.files;
  const entries: [string, Buffer][] = isMap(files) ? [...files.entries()] : Object.entries(files);
  let count = 0;
  for (const [name, bytes] of entries) {
    const m = DG_NAME.exec(name);
    if (!m) continue;
    count++;
    const n = Number(m[1]);
    const id = `dg.DG${n}`;
    const listed = lds.dataGroupHashes.find((d) => d.dataGroup === n);
    if (!listed) {
      add(id, 'fail', 'DG_MISSING_FROM_SOD', `DG${n} was read but EF.SOD lists no hash for it`);
      continue;
    }
    const digest = createHash(lds.hashAlgorithm).update(bytes).digest();
    if (equalsConstantTime(digest, listed.hash)) add(id, 'pass');
    else add(id, 'fail', 'DG_HASH_MISMATCH', `DG${n} hash differs from EF.SOD`);
  }
  if (count === 0) add('dg', 'not-performed', undefined, 'no data group given');
}

function isMap(f: PassiveInput['files']): f is ReadonlyMap<string, Buffer> {
  return f instanceof Map;
}

function finish(checks: PassiveCheck[], signer: SignerSummary | undefined): PassiveResult {
  const failures: PassiveCode[] = [];
  for (const c of checks) if (c.result === 'fail' && c.code && !failures.includes(c.code)) failures.push(c.code);
  const requiredDone = REQUIRED.every((id) => checks.some((c) => c.id === id && c.result === 'pass'));
  const anyFail = checks.some((c) => c.result === 'fail');
  return { verdict: requiredDone && !anyFail ? 'pass' : 'fail', failures, checks, signer };
}

export interface SecurityObjectResult {
  readonly verdict: 'pass' | 'fail';
  readonly failures: readonly PassiveCode[];
  readonly checks: readonly PassiveCheck[];
  /** The signed SecurityInfos (DER SET), when the object parsed. */
  readonly content: Buffer | undefined;
}

/**
 * Authenticates EF.CardSecurity (ICAO 9303-11 §9.2.2, TR-03110-3 A.1.2): a SignedData over
 * SecurityInfos, signed by a document signer like EF.SOD. PACE-CAM's static key counts only
 * when this passes.
 */
export function authenticateCardSecurity(bytes: Buffer, input: SignerCheckInput): SecurityObjectResult {
  const checks: PassiveCheck[] = [];
  const add: Add = (id, result, code, detail) => {
    checks.push({ id, result, ...(result === 'fail' && code ? { code } : {}), ...(detail !== undefined ? { detail } : {}) });
  };
  const skip = (ids: readonly string[], detail: string): void => {
    for (const id of ids) add(id, 'not-performed', undefined, detail);
  };
  let sd: SignedData;
  try {
    sd = decodeSignedData(bytes, 'EF.CardSecurity');
    if (sd.eContentType !== ICAO_OIDS.securityObject) throw new ParseError('EF.CardSecurity', 'eContentType is not id-SecurityObject');
    if (sd.signerInfos.length !== 1 || !sd.eContent) throw new ParseError('EF.CardSecurity', 'not one signer over encapsulated content');
    add('cardSecurity.parse', 'pass');
  } catch (e) {
    add('cardSecurity.parse', 'fail', 'SOD_MALFORMED', errorSummary(e));
    const f = finish(checks, undefined);
    return { verdict: f.verdict, failures: f.failures, checks: f.checks, content: undefined };
  }
  checkSigner(sd, input, 'cardSecurity', add, skip);
  const required = ['cardSecurity.signature', 'ds.issuer', 'ds.certificate-signature'];
  const failures: PassiveCode[] = [];
  for (const c of checks) if (c.result === 'fail' && c.code && !failures.includes(c.code)) failures.push(c.code);
  const ok = required.every((id) => checks.some((c) => c.id === id && c.result === 'pass')) && !checks.some((c) => c.result === 'fail');
  return { verdict: ok ? 'pass' : 'fail', failures, checks, content: sd.eContent };
}
