// kioskctl: offline tools of the kiosk (chip reading and conformance, passport generation).
// Later issues add the control-socket commands for a running kioskd.
import { isKioskError } from '../errors.js';
import { defaultMrtdNative } from '../native/mrtd.js';
import { replay, sm } from './conformance.js';
import { EXIT_FAILED, EXIT_USAGE, processIo, UsageError, type Io } from './io.js';
import { makePassportCommand, readCommand } from './mrtd.js';
import { documentCheck, documentMrz, documentRender } from './document.js';
import { faceCardPhoto, faceCompare, faceEnrol, faceQuality, faceSearch } from './face.js';

const USAGE = `usage:
  kioskctl mrtd read (--virtual DIR | --reader NAME) (--mrz TEXT | --can CAN) --trust DIR [--json]
  kioskctl mrtd make-passport OUTDIR --mrz TEXT [--photo FILE] [--pki DIR] [--pace] [--aa rsa|ecdsa] [--ca ecdh|dh] ...
  kioskctl document mrz IMAGE [--dpi N] [--json]
  kioskctl document check IMAGE [--virtual DIR | --reader NAME] --trust DIR [--uv IMG] [--ir IMG] [--dpi N] [--json]
  kioskctl document render OUT.png [--mrz TEXT | --format td1|td2|td3] [--portrait PHOTO] [--seed N] [--dpi N] [--defects none|random] [--uv OUT] [--ir OUT] [--substrate ...]
  kioskctl face compare A.jpg B.jpg [--fmr 0.001|0.0001] [--json]
  kioskctl face quality IMG [--live] [--json]
  kioskctl face enrol --gallery FILE --id N IMG
  kioskctl face search --gallery FILE --probe IMG [--k 5] [--fmr 0.001|0.0001] [--json]
  kioskctl face card-photo OUT.jpg FRAME...
  kioskctl conformance replay FILE.json
  kioskctl conformance sm --cipher 3des|aes --ks-enc HEX --ks-mac HEX --ssc HEX (--wrap CAPDU | --unwrap RAPDU)`;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [group, command, ...rest] = argv;
  try {
    const native = defaultMrtdNative();
    switch (`${group ?? ''} ${command ?? ''}`) {
      case 'conformance replay':
        return await replay(rest, io, native);
      case 'conformance sm':
        return sm(rest, io, native);
      case 'mrtd read':
        return await readCommand(rest, io, native);
      case 'mrtd make-passport':
        return await makePassportCommand(rest, io);
      case 'document mrz':
        return await documentMrz(rest, io);
      case 'document check':
        return await documentCheck(rest, io, native);
      case 'document render':
        return await documentRender(rest, io);
      case 'face compare':
        return await faceCompare(rest, io);
      case 'face quality':
        return await faceQuality(rest, io);
      case 'face enrol':
        return await faceEnrol(rest, io);
      case 'face search':
        return await faceSearch(rest, io);
      case 'face card-photo':
        return await faceCardPhoto(rest, io);
      default:
        if (group === '--help' || group === 'help') {
          io.out(USAGE);
          return 0;
        }
        throw new UsageError(`unknown command "${[group, command].filter(Boolean).join(' ')}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      io.err(`kioskctl: ${e.message}\n${USAGE}`);
      return EXIT_USAGE;
    }
    io.err(`kioskctl: ${isKioskError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : 'failed'}`);
    return EXIT_FAILED;
  }
}
