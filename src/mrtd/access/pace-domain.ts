// Domain parameters of PACE and Chip Authentication as the chip announces them: a
// standardized parameter id (ICAO 9303-11 §9.5.1), explicit parameters in an
// AlgorithmIdentifier (§9.5.2: ecPublicKey with ECParameters, dhpublicnumber with X9.42
// DomainParameters, or PKCS #3 dhKeyAgreement), and the static public keys of
// ChipAuthenticationPublicKeyInfo (§9.2.6) whose SubjectPublicKeyInfo carries them.
import { ParseError } from '../../errors.js';
import { bigintFromBytes, stripLeadingZeros } from '../../util/bytes.js';
import { at, decodeSmallInt, decodeUnsigned, seq, T } from '../asn1.js';
import { MrtdError, type MrtdStep } from '../errors.js';
import { OID } from '../lds/oids.js';
import type { ChipAuthenticationPublicKeyInfo, PaceDomainParameterInfo, SecurityInfo } from '../lds/security-infos.js';
import type { AlgorithmIdentifier, SubjectPublicKeyInfo } from '../lds/spki.js';
import { curveByOid, identifyCurve, standardDomain, type DhGroup, type Domain } from '../params/domains.js';
import { parseEcParameters } from '../pki/spki.js';
import { parseSingle, readTlv } from '../tlv.js';

/** PKCS #3 dhKeyAgreement (RFC 2631 / PKCS #3 §9), found in some DH keys instead of dhpublicnumber. */
export const OID_DH_KEY_AGREEMENT = '1.2.840.113549.1.3.1';

/** The standardized DH groups, ids 0–2 (RFC 5114). */
function standardDh(): { id: number; group: DhGroup }[] {
  const out: { id: number; group: DhGroup }[] = [];
  for (const id of [0, 1, 2]) {
    const d = standardDomain(id);
    if (d?.kind === 'DH') out.push({ id, group: d.group });
  }
  return out;
}

/** A domain named by explicit parameters that equal a standardized one gets that one's id. */
function normalise(d: Domain): Domain {
  if (d.kind === 'EC') {
    const std = identifyCurve(d.curve);
    return std ? { kind: 'EC', curve: std } : d;
  }
  const p = bigintFromBytes(d.group.p);
  const g = bigintFromBytes(d.group.g);
  const std = standardDh().find((x) => bigintFromBytes(x.group.p) === p && bigintFromBytes(x.group.g) === g);
  const q = std?.group.q;
  if (std && q && (!d.group.q || bigintFromBytes(d.group.q) === bigintFromBytes(q))) return { kind: 'DH', group: std.group, id: std.id };
  return d;
}

/** True when explicit parameters are in fact one of the standardized domains. */
export const isStandardized = (d: Domain): boolean =>
  d.kind === 'EC' ? identifyCurve(d.curve) !== undefined : d.id !== undefined && d.id <= 2;

/** The domain described by an AlgorithmIdentifier (§9.5). Throws ParseError or MrtdError UNSUPPORTED. */
export function domainFromAlgorithm(alg: AlgorithmIdentifier, what: string, step: MrtdStep): Domain {
  const params = alg.parameters;
  switch (alg.algorithm) {
    case OID.standardizedDomainParameters: {
      if (!params) throw new ParseError(what, 'standardizedDomainParameters without an id');
      const id = decodeSmallInt(parseSingle(params, what), what);
      const d = standardDomain(id);
      if (!d) throw new MrtdError('UNSUPPORTED', step, `${what}: standardized domain parameter id ${id} is reserved`);
      return d;
    }
    case OID.ecPublicKey: {
      if (!params) throw new MrtdError('UNSUPPORTED', step, `${what}: implicit EC parameters`);
      const c = parseEcParameters(parseSingle(params, what), what);
      if (c.type === 'named') {
        const curve = curveByOid(c.oid);
        if (!curve) throw new MrtdError('UNSUPPORTED', step, `${what}: curve ${c.oid}`);
        return { kind: 'EC', curve };
      }
      if (c.type === 'unsupported') throw new MrtdError('UNSUPPORTED', step, `${what}: ${c.detail}`);
      return normalise({ kind: 'EC', curve: { ...c.parameters } });
    }
    case OID.dhPublicNumber:
    case OID_DH_KEY_AGREEMENT: {
      if (!params) throw new MrtdError('UNSUPPORTED', step, `${what}: DH key without domain parameters`);
      const items = seq(parseSingle(params, what), what);
      const p = decodeUnsigned(at(items, 0, what), what);
      const g = decodeUnsigned(at(items, 1, what), what);
      // X9.42 DomainParameters { p, g, q, ... }; PKCS #3 DHParameter { p, g, privateValueLength }.
      const third = items[2];
      const q = alg.algorithm === OID.dhPublicNumber && third?.tag === T.INTEGER ? decodeUnsigned(third, what) : undefined;
      if (p.length > 1024 || g.length > p.length) throw new ParseError(what, 'DH parameters of implausible size');
      return normalise({ kind: 'DH', group: { p: stripLeadingZeros(p), g: stripLeadingZeros(g), ...(q ? { q: stripLeadingZeros(q) } : {}) } });
    }
    default:
      throw new MrtdError('UNSUPPORTED', step, `${what}: domain parameters ${alg.algorithm}`);
  }
}

export interface PaceDomainChoice {
  readonly domain: Domain;
  /** True when the chip's explicit PACEDomainParameterInfo gave the parameters. */
  readonly explicit: boolean;
}

/**
 * The PACE domain of a PACEInfo (§9.2.1): a standardized parameter id, or the explicit
 * PACEDomainParameterInfo with the same id (or the only one when no id is given). Explicit
 * parameters are unprotected (§9.2.2: using insecure ones leaks the password), so unless they
 * equal a standardized domain they are used only when `trustExplicit` says so.
 */
export function paceDomain(
  parameterId: number | undefined,
  keyAgreement: 'ECDH' | 'DH',
  domainInfos: readonly PaceDomainParameterInfo[],
  trustExplicit: boolean,
): PaceDomainChoice {
  const std = parameterId === undefined ? undefined : standardDomain(parameterId);
  const explicitCandidates = domainInfos.filter((d) => d.keyAgreement === keyAgreement && d.parameterId === parameterId);
  if (std && explicitCandidates.length === 0) return { domain: std, explicit: false };
  const info = explicitCandidates.length === 1 ? explicitCandidates[0] : undefined;
  if (!info) {
    throw new MrtdError('UNSUPPORTED', 'PACE', parameterId === undefined ? 'no domain parameters given' : `domain parameter id ${parameterId} is neither standardized nor given once`);
  }
  const domain = domainFromAlgorithm(info.domainParameter, 'PACEDomainParameterInfo', 'PACE');
  if ((domain.kind === 'EC') !== (keyAgreement === 'ECDH')) throw new MrtdError('PROTOCOL', 'PACE', 'PACEDomainParameterInfo does not match the key agreement');
  if (!trustExplicit && !isStandardized(domain)) throw new MrtdError('UNSUPPORTED', 'PACE', 'explicit PACE domain parameters are not known to be secure');
  return { domain, explicit: true };
}

export interface StaticPublicKey {
  readonly domain: Domain;
  /** EC: the point as encoded; DH: the public value y (unsigned). */
  readonly publicKey: Buffer;
  readonly keyId?: number;
}

/**
 * The static key of a ChipAuthenticationPublicKeyInfo. Domain parameters come from the
 * SubjectPublicKeyInfo, or — when it has none — from a ChipAuthenticationDomainParameterInfo
 * with the same keyId (TR-03110-3 A.1.1.2).
 */
export function chipAuthenticationKey(info: ChipAuthenticationPublicKeyInfo, infos: readonly SecurityInfo[], step: MrtdStep): StaticPublicKey {
  const spki: SubjectPublicKeyInfo = info.publicKey;
  const what = 'ChipAuthenticationPublicKeyInfo';
  let alg = spki.algorithm;
  if (!alg.parameters && alg.algorithm !== OID.standardizedDomainParameters) {
    const dp = infos.find((i) => i.type === 'ChipAuthenticationDomainParameterInfo' && i.keyId === info.keyId);
    if (dp?.type === 'ChipAuthenticationDomainParameterInfo') alg = dp.domainParameter;
  }
  const domain = domainFromAlgorithm(alg, what, step);
  if ((domain.kind === 'EC') !== (info.keyAgreement === 'ECDH')) throw new MrtdError('PROTOCOL', step, `${what}: key type does not match its protocol`);
  let publicKey = spki.publicKey;
  if (domain.kind === 'DH') {
    // The DH public value is an INTEGER inside the BIT STRING (RFC 3279 §2.3.3).
    const y = readTlv(publicKey, 0, what);
    if (y.raw.length !== publicKey.length) throw new ParseError(what, 'bytes after the DH public value');
    publicKey = stripLeadingZeros(decodeUnsigned(y, what));
  }
  return { domain, publicKey, ...(info.keyId === undefined ? {} : { keyId: info.keyId }) };
}
