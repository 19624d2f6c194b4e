// The kiosk's trust anchors (CONFORMANCE.md §2): a folder of CSCA certificates (*.pem, *.der,
// *.cer, *.crt; PEM files may hold several), CRLs (*.crl, PEM or DER) and ICAO CSCA master
// lists (*.ml, CMS SignedData per ICAO 9303-12 §9). Parsing (`buildTrustStore`) is separate from
// reading the folder (`loadTrustStore`) so it can be tested without I/O.
//
// Master-list policy: a master list only adds CSCAs when
//   1. its eContentType is id-icao-cscaMasterList and its CMS signature verifies
//      (messageDigest, contentType and the signer's signature, RFC 5652 §5.6), and
//   2. its signer certificate (carried in the CMS) is itself a CSCA certificate loaded directly
//      from the folder, or is issued by one: same issuer name / key identifier, and its
//      signature verifies with that CSCA's key; when it has an extendedKeyUsage extension, that
//      must include id-icao-cscaMasterListSigningKey (ICAO 9303-12 §7.1.1 Table 6).
// A master list is thus never trusted on its own say-so: trust flows only from certificates
// the operator put in the folder. Validity dates of the master-list signer are not checked: a
// list stays a faithful statement of what its signer endorsed, and each CSCA it lists is then
// checked against the document's signing time like any other. Everything rejected is reported
// with its reason; nothing here throws on bad input.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errorSummary, ParseError } from '../../errors.js';
import { decodeSignedData, verifySignedData } from './cms.js';
import { decodeCrl, type Crl } from './crl.js';
import { decodeMasterListContent } from './master-list.js';
import { namesEqual } from './name.js';
import { ICAO_OIDS } from './oids.js';
import { decodePem, isPem } from './pem.js';
import { verifySignature, type VerifyOptions } from './signature.js';
import { decodeCertificate, mayActAsCa, mayHaveIssued, type Certificate } from './x509.js';

export interface TrustAnchor {
  readonly certificate: Certificate;
  /** File name it came from (for a master list: the list's file name). */
  readonly source: string;
  readonly via: 'file' | 'master-list';
}

export interface TrustedCrl {
  readonly crl: Crl;
  readonly source: string;
}

export type RejectionReason =
  | 'parse-error'
  | 'unsupported-file'
  | 'not-a-ca'
  | 'master-list-content-type'
  | 'master-list-signature-invalid'
  | 'master-list-signer-untrusted';

export interface Rejection {
  readonly source: string;
  readonly reason: RejectionReason;
  /** Position in the file (PEM block, master-list entry) when the rejection concerns one item. */
  readonly index: number | undefined;
  readonly detail: string;
}

export interface MasterListSummary {
  readonly source: string;
  readonly signer: Certificate;
  readonly cscasAdded: number;
}

export interface TrustStore {
  readonly cscas: readonly TrustAnchor[];
  readonly crls: readonly TrustedCrl[];
  readonly masterLists: readonly MasterListSummary[];
  readonly rejected: readonly Rejection[];
}

export interface TrustFile {
  readonly name: string;
  readonly bytes: Buffer;
}

export type TrustStoreOptions = Pick<VerifyOptions, 'ecdsaVerifyExplicit'>;

const CERT_EXT = /\.(pem|der|cer|crt)$/i;
const CRL_EXT = /\.crl$/i;
const ML_EXT = /\.ml$/i;

/** Builds a trust store from file contents. Master lists are processed after every direct CSCA. */
export function buildTrustStore(files: readonly TrustFile[], options: TrustStoreOptions = {}): TrustStore {
  const cscas: TrustAnchor[] = [];
  const crls: TrustedCrl[] = [];
  const masterLists: MasterListSummary[] = [];
  const rejected: Rejection[] = [];
  const reject = (source: string, reason: RejectionReason, detail: string, index?: number): void => {
    rejected.push({ source, reason, detail, index });
  };
  const addAnchor = (certificate: Certificate, source: string, via: TrustAnchor['via'], index?: number): boolean => {
    if (!mayActAsCa(certificate)) {
      reject(source, 'not-a-ca', 'certificate is not allowed to sign certificates', index);
      return false;
    }
    if (!cscas.some((a) => a.certificate.raw.equals(certificate.raw))) cscas.push({ certificate, source, via });
    return true;
  };

  const sorted = [...files].sort((a, b) => a.name.localeCompare(b.name));
  for (const f of sorted) {
    if (CERT_EXT.test(f.name)) {
      derItems(f, ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE'], reject).forEach(({ der, index }) => {
        try {
          addAnchor(decodeCertificate(der, f.name), f.name, 'file', index);
        } catch (e) {
          reject(f.name, 'parse-error', errorSummary(e), index);
        }
      });
    } else if (CRL_EXT.test(f.name)) {
      derItems(f, ['X509 CRL'], reject).forEach(({ der, index }) => {
        try {
          crls.push({ crl: decodeCrl(der, f.name), source: f.name });
        } catch (e) {
          reject(f.name, 'parse-error', errorSummary(e), index);
        }
      });
    } else if (!ML_EXT.test(f.name)) reject(f.name, 'unsupported-file', 'not a certificate, CRL or master list by its extension');
  }

  const direct = [...cscas];
  for (const f of sorted.filter((x) => ML_EXT.test(x.name))) {
    for (const { der, index } of derItems(f, ['CMS', 'PKCS7'], reject)) {
      const summary = processMasterList(f.name, der, index, direct, options, reject, (c, i) => addAnchor(c, f.name, 'master-list', i));
      if (summary) masterLists.push(summary);
    }
  }
  return { cscas, crls, masterLists, rejected };
}

/** DER items of a file: the PEM blocks with an accepted label, or the whole file as DER. */
function derItems(
  f: TrustFile,
  labels: readonly string[],
  reject: (source: string, reason: RejectionReason, detail: string, index?: number) => void,
): { der: Buffer; index: number | undefined }[] {
  if (!isPem(f.bytes)) return [{ der: f.bytes, index: undefined }];
  try {
    const blocks = decodePem(f.bytes, f.name);
    const out: { der: Buffer; index: number | undefined }[] = [];
    blocks.forEach((b, index) => {
      if (labels.includes(b.label)) out.push({ der: b.der, index });
      else reject(f.name, 'unsupported-file', `PEM block labelled ${b.label}`, index);
    });
    if (blocks.length === 0) reject(f.name, 'parse-error', 'no PEM block');
    return out;
  } catch (e) {
    reject(f.name, 'parse-error', errorSummary(e));
    return [];
  }
}

function processMasterList(
  source: string,
  der: Buffer,
  index: number | undefined,
  direct: readonly TrustAnchor[],
  options: TrustStoreOptions,
  reject: (source: string, reason: RejectionReason, detail: string, index?: number) => void,
  add: (c: Certificate, index: number) => boolean,
): MasterListSummary | undefined {
  let sd;
  let content;
  try {
    sd = decodeSignedData(der, source);
    if (sd.eContentType !== ICAO_OIDS.cscaMasterList) {
      reject(source, 'master-list-content-type', `eContentType ${sd.eContentType} is not id-icao-cscaMasterList`, index);
      return undefined;
    }
    if (!sd.eContent) throw new ParseError(source, 'master list without content');
    content = decodeMasterListContent(sd.eContent, source);
  } catch (e) {
    reject(source, 'parse-error', errorSummary(e), index);
    return undefined;
  }
  if (sd.signerInfos.length !== 1) {
    reject(source, 'master-list-signature-invalid', `${sd.signerInfos.length} signer infos where one is expected`, index);
    return undefined;
  }
  const v = verifySignedData(sd, options);
  if (!v.valid || !v.signerCertificate) {
    reject(source, 'master-list-signature-invalid', `${v.failure ?? 'invalid'}: ${v.detail ?? ''}`, index);
    return undefined;
  }
  const signer = v.signerCertificate;
  const anchored = anchorOf(signer, direct, options);
  if (!anchored.ok) {
    reject(source, 'master-list-signer-untrusted', anchored.detail, index);
    return undefined;
  }
  for (const u of content.unparsed) reject(source, 'parse-error', u.detail, u.index);
  let cscasAdded = 0;
  content.certificates.forEach((c, i) => {
    if (add(c, i)) cscasAdded++;
  });
  return { source, signer, cscasAdded };
}

const ML_SIGNING_EKU = ICAO_OIDS.cscaMasterListSigningKey;

function anchorOf(signer: Certificate, direct: readonly TrustAnchor[], options: TrustStoreOptions): { ok: true } | { ok: false; detail: string } {
  if (direct.some((a) => a.certificate.raw.equals(signer.raw))) return { ok: true };
  const eku = signer.extensions.extendedKeyUsage;
  if (eku && !eku.includes(ML_SIGNING_EKU)) return { ok: false, detail: 'signer certificate is not for master-list signing (extendedKeyUsage)' };
  const candidates = direct.filter((a) => mayHaveIssued(a.certificate, signer));
  if (candidates.length === 0) return { ok: false, detail: 'no CSCA from the folder issued the master-list signer' };
  for (const a of candidates) {
    try {
      const r = verifySignature(a.certificate.subjectPublicKeyInfo, signer.signatureAlgorithm, signer.tbs, signer.signatureValue, options);
      if (r.valid) return { ok: true };
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
    }
  }
  return { ok: false, detail: 'master-list signer certificate signature does not verify with any CSCA from the folder' };
}

/** Anchors that may have issued `cert` by name and key identifier (signatures not yet checked). */
export function issuerCandidates(store: TrustStore, cert: Certificate): TrustAnchor[] {
  return store.cscas.filter((a) => mayHaveIssued(a.certificate, cert));
}

/** CRLs whose issuer name is the CSCA's subject (their signatures still have to be checked). */
export function crlsNamingIssuer(store: TrustStore, csca: Certificate): TrustedCrl[] {
  return store.crls.filter((c) => namesEqual(c.crl.issuer, csca.subject));
}

/** Files larger than this are reported, not read (the ICAO master list is a few MB). */
export const MAX_TRUST_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Reads every regular file of `dir` (not recursing) and builds the trust store. A file that
 * cannot be read is reported as rejected; only a missing or unreadable folder throws.
 */
export async function loadTrustStore(dir: string, options: TrustStoreOptions = {}): Promise<TrustStore> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: TrustFile[] = [];
  const unreadable: Rejection[] = [];
  for (const e of entries) {
    if (!e.isFile() || e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    try {
      const st = await stat(path);
      if (st.size > MAX_TRUST_FILE_BYTES) {
        unreadable.push({ source: e.name, reason: 'parse-error', index: undefined, detail: `file larger than ${MAX_TRUST_FILE_BYTES} bytes` });
        continue;
      }
      files.push({ name: e.name, bytes: await readFile(path) });
    } catch (err) {
      unreadable.push({ source: e.name, reason: 'parse-error', index: undefined, detail: errorSummary(err) });
    }
  }
  const store = buildTrustStore(files, options);
  return { ...store, rejected: [...unreadable, ...store.rejected] };
}
