import t from 'tap';
import { readFileSync } from 'node:fs';
import { LDS_FILES, ldsFile, ldsFileByFid, ldsFileByTag, dataGroupTag, isLdsFileName, EMRTD_AID } from '../../src/mrtd/lds/files.js';
import { parseLdsFile, declaredFileLength } from '../../src/mrtd/lds/index.js';
import { fromHex } from '../../src/util/bytes.js';
import { ParseError } from '../../src/errors.js';

const fixture = (p: string): Buffer => readFileSync(new URL(`../fixtures/mrtd/examples/${p}`, import.meta.url));

t.test('file table: ICAO 9303-10 file identifiers, short EF identifiers and tags', async (t) => {
  t.match(ldsFile('EF.COM'), { fid: 0x011e, sfi: 0x1e, tag: 0x60, location: 'eMRTD' });
  t.match(ldsFile('EF.SOD'), { fid: 0x011d, sfi: 0x1d, tag: 0x77, location: 'eMRTD' });
  t.match(ldsFile('EF.CardAccess'), { fid: 0x011c, sfi: 0x1c, location: 'MF' });
  t.match(ldsFile('EF.CardSecurity'), { fid: 0x011d, sfi: 0x1d, location: 'MF' });
  t.match(ldsFile('EF.ATR/INFO'), { fid: 0x2f01, location: 'MF' });
  const tags = [0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70];
  for (let n = 1; n <= 16; n++) {
    const f = ldsFile(`DG${n}` as 'DG1');
    t.match(f, { fid: 0x0100 + n, sfi: n, tag: tags[n - 1], dataGroup: n, location: 'eMRTD' }, `DG${n}`);
    t.equal(f.requiresTerminalAuthentication, n === 3 || n === 4, `DG${n} TA`);
    t.equal(dataGroupTag(f.dataGroup!), tags[n - 1]);
    t.equal(ldsFileByTag(tags[n - 1]!)?.name, `DG${n}`);
  }
  t.equal(LDS_FILES.filter((f) => f.mandatory).map((f) => f.name).join(), 'EF.COM,EF.SOD,DG1,DG2');
  t.equal(ldsFileByFid(0x011d, 'MF')?.name, 'EF.CardSecurity');
  t.equal(ldsFileByFid(0x011d, 'eMRTD')?.name, 'EF.SOD');
  t.equal(ldsFileByTag(0x99), undefined);
  t.ok(isLdsFileName('DG16'));
  t.notOk(isLdsFileName('DG17'));
  t.equal(EMRTD_AID.toString('hex'), 'a0000002471001');
  t.ok(Object.isFrozen(LDS_FILES) && Object.isFrozen(LDS_FILES[0]));
});

t.test('parseLdsFile dispatches on the name and verifies the outer tag', async (t) => {
  const com = parseLdsFile('EF.COM', fixture('passports/genuine/EF.COM'));
  t.equal(com.name, 'EF.COM');
  if (com.name === 'EF.COM') t.equal(com.value.tags.length, 4);
  const dg1 = parseLdsFile('DG1', fixture('passports/genuine/DG1'));
  t.equal(dg1.name === 'DG1' && dg1.value.mrz.issuer, 'FIN');
  t.equal(parseLdsFile('DG2', fixture('passports/genuine/DG2')).name, 'DG2');
  const dg14 = parseLdsFile('DG14', fixture('passports/genuine/DG14'));
  t.equal(dg14.name === 'DG14' && dg14.value.securityInfos.length, 3);
  t.equal(parseLdsFile('DG15', fixture('passports/genuine/DG15')).name, 'DG15');
  const sod = parseLdsFile('EF.SOD', fixture('passports/genuine/EF.SOD'));
  t.equal(sod.name === 'EF.SOD' && sod.value.bytes.length, 1369);
  const ca = parseLdsFile('EF.CardAccess', fromHex('31143012060A04007F0007020204020202010202010D'));
  t.equal(ca.name === 'EF.CardAccess' && ca.value.length, 1);
  t.throws(() => parseLdsFile('DG1', fixture('passports/genuine/DG2')), ParseError, 'wrong file');
  t.throws(() => parseLdsFile('EF.SOD', fixture('passports/genuine/DG1')), ParseError);
  t.throws(() => parseLdsFile('DG3', fromHex('7500')), ParseError, 'DG3 checked for tag 63');
  const dg3 = parseLdsFile('DG3', fromHex('63027F60'));
  t.same(dg3.name === 'DG3' && [...dg3.value.bytes], [0x63, 0x02, 0x7f, 0x60], 'EAC file returned as its bytes');
  t.throws(() => parseLdsFile('EF.DIR', fromHex('30')), ParseError);
  t.equal(parseLdsFile('EF.ATR/INFO', fromHex('4701FF')).name, 'EF.ATR/INFO');
});

t.test('declaredFileLength from the first bytes of a file', async (t) => {
  t.equal(declaredFileLength(fixture('passports/genuine/DG2').subarray(0, 4)), 2369);
  t.equal(declaredFileLength(fromHex('6016')), 24);
  t.throws(() => declaredFileLength(fromHex('75')), ParseError);
});
