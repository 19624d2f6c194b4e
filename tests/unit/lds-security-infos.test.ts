import t from 'tap';
import { readFileSync } from 'node:fs';
import {
  parseSecurityInfos, encodeSecurityInfos, parseDg14, encodeDg14, parseCardAccess, offersPaceCam, paceInfos,
  chipAuthenticationInfos, chipAuthenticationPublicKeys, activeAuthenticationInfo, terminalAuthenticationInfo, type SecurityInfo,
} from '../../src/mrtd/lds/security-infos.js';
import { OID, PROTOCOL_OIDS, STANDARDIZED_DOMAIN_PARAMETERS, keyAgreementProtocol, keyAgreementProtocolOid, oidName, protocolInfo } from '../../src/mrtd/lds/oids.js';
import { publicKeyDetails } from '../../src/mrtd/lds/spki.js';
import { der } from '../../src/mrtd/asn1.js';
import { fromHex } from '../../src/util/bytes.js';
import { ParseError } from '../../src/errors.js';

const fixture = (p: string): Buffer => readFileSync(new URL(`../fixtures/mrtd/examples/${p}`, import.meta.url));

t.test('EF.CardAccess of ICAO 9303-11 Appendix G.1 (PACE ECDH GM, AES-128, brainpoolP256r1)', async (t) => {
  const bytes = fromHex('31143012060A04007F0007020204020202010202010D');
  const infos = parseCardAccess(bytes);
  t.equal(infos.length, 1);
  t.match(infos[0], { type: 'PACEInfo', protocol: '0.4.0.127.0.7.2.2.4.2.2', version: 2, parameterId: 13 });
  t.same(paceInfos(infos)[0]!.suite, { protocol: 'PACE', keyAgreement: 'ECDH', mapping: 'GM', cipher: 'AES-128', mac: 'CMAC' });
  t.equal(STANDARDIZED_DOMAIN_PARAMETERS.get(13)?.curve, 'brainpoolP256r1');
  t.notOk(offersPaceCam(infos));
  t.ok(encodeSecurityInfos(infos).equals(bytes));
});

t.test('genuine DG14: CA info, AA info, CA public key with explicit EC parameters', async (t) => {
  const bytes = fixture('passports/genuine/DG14');
  const dg14 = parseDg14(bytes);
  const infos = dg14.securityInfos;
  t.same(infos.map((i) => i.type), ['ChipAuthenticationInfo', 'ActiveAuthenticationInfo', 'ChipAuthenticationPublicKeyInfo']);
  const ca = chipAuthenticationInfos(infos)[0]!;
  t.same(ca.suite, { protocol: 'CA', keyAgreement: 'ECDH', cipher: 'AES-128', mac: 'CMAC' });
  t.equal(ca.version, 1);
  t.equal(ca.keyId, 1);
  t.match(activeAuthenticationInfo(infos), { version: 1, signatureAlgorithm: OID.ecdsaPlainSHA256 });
  const pk = chipAuthenticationPublicKeys(infos)[0]!;
  t.equal(pk.keyAgreement, 'ECDH');
  t.equal(pk.keyId, 1);
  t.equal(pk.publicKey.algorithm.algorithm, OID.ecPublicKey);
  const key = publicKeyDetails(pk.publicKey, 'DG14');
  t.equal(key.type, 'EC');
  if (key.type === 'EC' && key.parameters.kind === 'explicit') {
    // brainpoolP256r1 prime (RFC 5639 §3.4).
    t.equal(key.parameters.explicit.prime.toString('hex').toUpperCase(), 'A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377');
    t.equal(key.parameters.explicit.cofactor?.toString('hex'), '01');
    t.equal(key.point.length, 65);
  } else t.fail('explicit EC parameters expected');
  t.equal(terminalAuthenticationInfo(infos), undefined);
  t.ok(encodeDg14(dg14).equals(bytes), 're-encodes byte for byte');
  t.ok(encodeDg14({ securityInfos: infos.map(stripRaw) }).equals(bytes), 'and from the fields alone');
  t.equal(parseDg14(fixture('passports/dg1-altered/DG14')).securityInfos.length, 3);
});

function stripRaw(i: SecurityInfo): SecurityInfo {
  if (i.type === 'unknown') return i;
  const { raw: _raw, ...rest } = i;
  if (rest.type === 'ChipAuthenticationPublicKeyInfo') {
    const { raw: _r, ...pk } = rest.publicKey;
    return { ...rest, publicKey: pk };
  }
  return rest;
}

t.test('PACE-CAM, IM, DH, TA, domain parameters, DH public key, EFDIR, unknown: parse and round trip', async (t) => {
  const dhKey = der.seq(
    der.seq(der.oid(OID.dhPublicNumber), der.seq(der.int(23), der.int(5), der.int(11))),
    der.bits(der.int(Buffer.from([0x0a]))),
  );
  const infos: SecurityInfo[] = [
    { type: 'PACEInfo', protocol: `${OID.idPACE_ECDH_CAM}.2`, suite: { protocol: 'PACE', keyAgreement: 'ECDH', mapping: 'CAM', cipher: 'AES-128', mac: 'CMAC' }, version: 2, parameterId: 12 },
    { type: 'PACEInfo', protocol: `${OID.idPACE_DH_IM}.1`, suite: { protocol: 'PACE', keyAgreement: 'DH', mapping: 'IM', cipher: '3DES', mac: 'CBC' }, version: 2 },
    { type: 'PACEDomainParameterInfo', protocol: OID.idPACE_ECDH_GM, keyAgreement: 'ECDH', mapping: 'GM', domainParameter: { algorithm: OID.standardizedDomainParameters, parameters: der.int(13) }, parameterId: 31 },
    { type: 'ChipAuthenticationInfo', protocol: `${OID.idCA_DH}.4`, suite: { protocol: 'CA', keyAgreement: 'DH', cipher: 'AES-256', mac: 'CMAC' }, version: 2 },
    { type: 'ChipAuthenticationDomainParameterInfo', protocol: OID.idCA_ECDH, keyAgreement: 'ECDH', domainParameter: { algorithm: OID.standardizedDomainParameters, parameters: der.int(13) }, keyId: 3 },
    { type: 'ChipAuthenticationPublicKeyInfo', protocol: OID.idPK_DH, keyAgreement: 'DH', publicKey: { algorithm: { algorithm: OID.dhPublicNumber, parameters: der.seq(der.int(23), der.int(5), der.int(11)) }, publicKey: der.int(Buffer.from([0x0a])) }, keyId: 2 },
    { type: 'TerminalAuthenticationInfo', protocol: OID.idTA, version: 1, efCvca: { fid: 0x011c, sfi: 0x1c } },
    { type: 'TerminalAuthenticationInfo', protocol: OID.idTA, version: 2 },
    { type: 'EFDIRInfo', protocol: OID.efDir, efDir: fromHex('610A4F08A000000247200100') },
    { type: 'unknown', protocol: '1.2.3.4', raw: der.seq(der.oid('1.2.3.4'), der.null()) },
  ];
  const bytes = encodeSecurityInfos(infos);
  const back = parseSecurityInfos(bytes);
  t.same(back.map(stripRaw), infos);
  t.ok(offersPaceCam(back));
  const pk = chipAuthenticationPublicKeys(back)[0]!;
  t.ok(pk.publicKey.raw?.equals(dhKey));
  const key = publicKeyDetails(pk.publicKey, 'test');
  t.same(key, { type: 'DH', parameters: { p: Buffer.from([23]), g: Buffer.from([5]), q: Buffer.from([11]) }, y: Buffer.from([0x0a]) });
  const sorted = encodeSecurityInfos(infos, { sort: true });
  t.equal(sorted.length, bytes.length);
  t.notOk(sorted.equals(bytes), 'sorting changes the order');
});

t.test('malformed SecurityInfos are ParseErrors', async (t) => {
  const cases: [string, Buffer][] = [
    ['not a SET', der.seq()],
    ['empty SET', fromHex('3100')],
    ['PACEInfo without version', der.set(der.seq(der.oid(`${OID.idPACE_ECDH_GM}.2`)))],
    ['PACEInfo with 4 elements', der.set(der.seq(der.oid(`${OID.idPACE_ECDH_GM}.2`), der.int(2), der.int(13), der.int(1)))],
    ['version not an INTEGER', der.set(der.seq(der.oid(`${OID.idCA_ECDH}.2`), der.null()))],
    ['AA info without algorithm', der.set(der.seq(der.oid(OID.aaProtocolObject), der.int(1)))],
    ['TA FileID of 3 bytes', der.set(der.seq(der.oid(OID.idTA), der.int(1), der.seq(der.octets(Buffer.from([1, 2, 3])))))],
    ['CA key not a SubjectPublicKeyInfo', der.set(der.seq(der.oid(OID.idPK_ECDH), der.int(1)))],
    ['EFDIR not an OCTET STRING', der.set(der.seq(der.oid(OID.efDir), der.int(1)))],
    ['SecurityInfo without OID', der.set(der.seq(der.int(1)))],
  ];
  for (const [name, bytes] of cases) t.throws(() => parseSecurityInfos(bytes), ParseError, name);
  t.throws(() => parseDg14(fromHex('6E00')), ParseError);
  t.throws(() => parseDg14(Buffer.concat([fromHex('6E16'), fromHex('31143012060A04007F0007020204020202010202010D')]).subarray(0, 10)), ParseError);
});

t.test('OID table: every PACE / PACE-CAM / CA / TA protocol', async (t) => {
  const pace = [...PROTOCOL_OIDS.entries()].filter(([, p]) => p.protocol === 'PACE');
  t.equal(pace.length, 4 * 4 + 3, 'DH/ECDH × GM/IM × 4 suites, plus CAM with AES only');
  t.equal([...PROTOCOL_OIDS.values()].filter((p) => p.protocol === 'CA').length, 8);
  t.equal([...PROTOCOL_OIDS.values()].filter((p) => p.protocol === 'TA').length, 1 + 6 + 5);
  // TR-03110-3 A.1.1: spot checks of the arcs.
  t.same(protocolInfo('0.4.0.127.0.7.2.2.4.1.1'), { protocol: 'PACE', keyAgreement: 'DH', mapping: 'GM', cipher: '3DES', mac: 'CBC' });
  t.same(protocolInfo('0.4.0.127.0.7.2.2.4.4.4'), { protocol: 'PACE', keyAgreement: 'ECDH', mapping: 'IM', cipher: 'AES-256', mac: 'CMAC' });
  t.same(protocolInfo('0.4.0.127.0.7.2.2.4.6.3'), { protocol: 'PACE', keyAgreement: 'ECDH', mapping: 'CAM', cipher: 'AES-192', mac: 'CMAC' });
  t.equal(protocolInfo('0.4.0.127.0.7.2.2.4.6.1'), undefined, 'no 3DES PACE-CAM');
  t.same(protocolInfo('0.4.0.127.0.7.2.2.3.1.1'), { protocol: 'CA', keyAgreement: 'DH', cipher: '3DES', mac: 'CBC' });
  t.same(protocolInfo('0.4.0.127.0.7.2.2.2.2.3'), { protocol: 'TA', signature: 'ECDSA', hash: 'SHA-256' });
  t.same(protocolInfo('0.4.0.127.0.7.2.2.2.1.4'), { protocol: 'TA', signature: 'RSA-PSS', hash: 'SHA-256' });
  t.equal(keyAgreementProtocol(OID.idTA), undefined);
  for (const [oid, p] of PROTOCOL_OIDS) if (p.protocol !== 'TA') t.equal(keyAgreementProtocolOid(p), oid);
  t.equal(oidName('0.4.0.127.0.7.2.2.4.2.2'), 'id-PACE-ECDH-GM-AES-CBC-CMAC-128');
  t.equal(oidName('0.4.0.127.0.7.2.2.3.1.1'), 'id-CA-DH-3DES-CBC-CBC');
  t.equal(oidName(OID.aaProtocolObject), 'aaProtocolObject');
  t.equal(oidName('1.2.3'), undefined);
});

t.test('standardized domain parameters 0–18 (ICAO 9303-11 Table 6)', async (t) => {
  t.same([...STANDARDIZED_DOMAIN_PARAMETERS.keys()], [0, 1, 2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
  t.equal(STANDARDIZED_DOMAIN_PARAMETERS.get(0)?.kind, 'MODP');
  t.equal(STANDARDIZED_DOMAIN_PARAMETERS.get(12)?.curve, 'prime256v1');
  t.equal(STANDARDIZED_DOMAIN_PARAMETERS.get(18)?.curveOid, '1.3.132.0.35');
  t.equal(STANDARDIZED_DOMAIN_PARAMETERS.get(5), undefined, 'reserved');
});
