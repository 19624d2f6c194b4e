#include "store.h"

#include <sys/mman.h>

#include <cstring>

namespace matcher {
namespace {

constexpr size_t kHuge = size_t{2} << 20;

size_t RoundUp(size_t n) { return (n + kHuge - 1) / kHuge * kHuge; }

}  // namespace

ByteStore::~ByteStore() {
  if (p_ != nullptr) munmap(p_, cap_);
}

bool ByteStore::Resize(size_t n) {
  if (n <= cap_) {
    // Shrinking keeps the pages; bytes past the new end are cleared when they come back.
    if (n > size_) std::memset(p_ + size_, 0, n - size_);
    size_ = n;
    return true;
  }
  size_t cap = RoundUp(cap_ + cap_ / 2 > n ? cap_ + cap_ / 2 : n);
  void* m;
#if defined(__linux__)
  if (p_ == nullptr) {
    m = mmap(nullptr, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  } else {
    m = mremap(p_, cap_, cap, MREMAP_MAYMOVE);
  }
  if (m == MAP_FAILED) return false;
  madvise(m, cap, MADV_HUGEPAGE);  // advice only: without THP the store still works
#else
  // Elsewhere (a developer's laptop): a fresh mapping and a copy.
  m = mmap(nullptr, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);
  if (m == MAP_FAILED) return false;
  if (p_ != nullptr) {
    std::memcpy(m, p_, size_);
    munmap(p_, cap_);
  }
#endif
  p_ = static_cast<uint8_t*>(m);
  // Fresh anonymous pages are zero; bytes between size_ and the old capacity may not be.
  if (cap_ > size_) std::memset(p_ + size_, 0, cap_ - size_);
  cap_ = cap;
  size_ = n;
  return true;
}

}  // namespace matcher
