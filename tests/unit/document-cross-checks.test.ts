import t from 'tap';
import { parseMrz } from '../../src/mrtd/mrz.js';
import { DEFAULT_DOCUMENT_POLICY, expiryDate, opticalVersusChip, policyChecks, portraitCheck, validity } from '../../src/document/cross-checks.js';

const MRZ = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10';
const mrz = parseMrz(MRZ);
const now = new Date('2026-11-23T12:00:00Z');

t.test('optical MRZ against DG1', async (t) => {
  t.equal(opticalVersusChip(mrz, mrz).result, 'pass');
  const other = parseMrz(MRZ.replace('ANNA<MARIA', 'ANNA<MARIE'));
  const r = opticalVersusChip(mrz, other);
  t.equal(r.result, 'fail');
  t.equal(r.code, 'MRZ_MISMATCH');
  t.match(r.detail, /secondaryIdentifier/);
  t.notMatch(r.detail, /MARI/, 'names no values');
  t.equal(opticalVersusChip(undefined, mrz).result, 'not-performed');
  t.equal(opticalVersusChip(mrz, undefined).result, 'not-performed');
});

t.test('expiry: century chosen near today; expired, valid, not a date', async (t) => {
  t.equal(expiryDate('301231', now)?.getUTCFullYear(), 2030);
  t.equal(expiryDate('991231', now)?.getUTCFullYear(), 1999);
  t.equal(expiryDate('460101', now)?.getUTCFullYear(), 2046);
  t.equal(expiryDate('470101', now)?.getUTCFullYear(), 1947);
  t.equal(expiryDate('130230', now), undefined, '30 February');
  t.equal(validity(mrz, now)[0]?.code, 'DOCUMENT_EXPIRED', 'the specimen expired in 2012');
  const fresh = parseMrz('P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F3012314ZE184226B<<<<<16');
  t.equal(validity(fresh, now)[0]?.result, 'pass');
  t.equal(validity(fresh, now, '20261124')[1]?.code, 'DOCUMENT_NOT_YET_VALID');
  t.equal(validity(fresh, now, '20201124')[1]?.result, 'pass');
  t.equal(validity(fresh, now)[1]?.result, 'not-performed', 'no DG12, no issue-date check');
  t.equal(validity(undefined, now)[0]?.result, 'not-performed');
});

t.test('policy: passports only by default; issuer allow and deny lists', async (t) => {
  t.same(policyChecks(mrz, DEFAULT_DOCUMENT_POLICY).map((c) => c.result), ['pass', 'pass']);
  const id = parseMrz('I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<');
  t.equal(policyChecks(id, DEFAULT_DOCUMENT_POLICY)[0]?.code, 'DOCUMENT_TYPE_NOT_ALLOWED');
  t.equal(policyChecks(id, { ...DEFAULT_DOCUMENT_POLICY, documentCodes: ['P*', 'I'] })[0]?.result, 'pass');
  t.equal(policyChecks(mrz, { ...DEFAULT_DOCUMENT_POLICY, deniedIssuers: ['UTO'] })[1]?.code, 'ISSUER_NOT_ALLOWED');
  t.equal(policyChecks(mrz, { ...DEFAULT_DOCUMENT_POLICY, allowedIssuers: ['FIN'] })[1]?.code, 'ISSUER_NOT_ALLOWED');
});

t.test('portrait: not performed without the face engine, never passed', async (t) => {
  t.equal(portraitCheck(undefined).result, 'not-performed');
  t.equal(portraitCheck({ result: 'no-face', side: 'printed', detail: 'none on the page' }).result, 'not-performed');
  t.equal(portraitCheck({ result: 'no-face', side: 'chip', detail: 'no DG2' }).result, 'not-performed');
  t.equal(portraitCheck({ result: 'compared', match: true, score: 0.97, threshold: 0.92, fmr: 1e-3 }).result, 'pass');
  t.equal(portraitCheck({ result: 'compared', match: false, score: 0.2, threshold: 0.92, fmr: 1e-3 }).code, 'PORTRAIT_MISMATCH');
});
