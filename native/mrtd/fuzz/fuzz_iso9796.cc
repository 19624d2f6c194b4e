// libFuzzer target: ISO/IEC 9796-2 message-representative parsing on arbitrary bytes, and the
// encode → parse round trip for inputs that encode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "../core/iso9796.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mrtd::Bytes f(data, data + size);
  mrtd::Iso9796Message m;
  mrtd::Status s = mrtd::Iso9796Parse(f, &m);
  if (s.ok()) {
    mrtd::Bytes again;
    size_t bits = size * 8;
    if (bits >= 512 && mrtd::Iso9796Encode(bits, m.m1, m.digest, m.hash, m.implicit, m.partial, &again).ok()) {
      mrtd::Iso9796Message m2;
      if (!mrtd::Iso9796Parse(again, &m2).ok() || m2.m1 != m.m1 || m2.digest != m.digest) abort();
    }
  }
  return 0;
}
