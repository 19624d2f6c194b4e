// Shared by the property tests of parsers: runs `f` and says whether it either returned or
// threw a ParseError (the only failure a parser of hostile bytes may have).
import { ParseError } from '../../../src/errors.js';

export const onlyParseError = (f: () => unknown): boolean => {
  try {
    f();
    return true;
  } catch (e) {
    return e instanceof ParseError;
  }
};
