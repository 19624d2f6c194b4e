// libFuzzer target: hostile gallery files (format.h). The input is written to a file and
// opened both read-in and memory-mapped; an accepted file is then searched (exact and
// prefiltered), changed and searched again. Any outcome but a crash or sanitizer report is
// fine. Build (clang): clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined
//   native/matcher/fuzz/fuzz_gallery_file.cc native/matcher/core/*.cc -o fuzz_gallery_file
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../core/gallery.h"

namespace {

const std::string& Path() {
  static const std::string p = "/tmp/fuzz-gallery-" + std::to_string(getpid()) + ".kgal";
  return p;
}

void Exercise(matcher::Gallery* g) {
  const size_t dim = g->options().dim;
  std::vector<float> probe(dim);
  for (size_t i = 0; i < dim; i++) probe[i] = static_cast<float>(i % 7) - 3.0f;
  std::vector<uint64_t> ids;
  std::vector<float> scores;
  matcher::SearchParams p;
  p.k = 5;
  if (!g->Search(probe.data(), p, &ids, &scores).ok()) abort();
  if (ids.size() > 5 || ids.size() > g->Size()) abort();
  p.candidates = 3;
  (void)g->Search(probe.data(), p, &ids, &scores);
  const uint64_t fresh[2] = {0xfffffffffffffff0ULL, 0xfffffffffffffff1ULL};
  std::vector<float> two(2 * dim, 0.5f);
  (void)g->Add(fresh, two.data(), 2);
  if (!ids.empty()) g->Remove(ids.data(), 1);
  g->Remove(fresh, 1);
  p.candidates = 0;
  if (!g->Search(probe.data(), p, &ids, &scores).ok()) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FILE* f = std::fopen(Path().c_str(), "wb");
  if (f == nullptr) return 0;
  if (size > 0 && std::fwrite(data, 1, size, f) != size) abort();
  std::fclose(f);
  for (bool map : {false, true}) {
    matcher::Options o;
    o.threads = 2;
    o.binary = true;
    std::unique_ptr<matcher::Gallery> g;
    if (matcher::Gallery::Open(Path(), map, o, &g).ok()) {
      Exercise(g.get());
    } else if (g) {
      abort();  // a failed open must not hand out a gallery
    }
  }
  return 0;
}
