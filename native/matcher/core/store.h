// The owned, growable vector storage of a gallery. Anonymous memory asked to be backed by
// transparent huge pages (madvise; Debian's default THP mode only honours it when asked):
// a scan streams through the whole gallery, and with 4 KiB pages the hardware prefetchers
// stop at every page boundary and the TLB misses every 64 rows of a 512-d float gallery.
// Growth uses mremap, which moves page tables instead of copying gigabytes.
#pragma once
#include <cstddef>
#include <cstdint>

namespace matcher {

class ByteStore {
 public:
  ByteStore() = default;
  ~ByteStore();
  ByteStore(const ByteStore&) = delete;
  ByteStore& operator=(const ByteStore&) = delete;

  uint8_t* data() { return p_; }
  const uint8_t* data() const { return p_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // New bytes are zero. False when the memory cannot be had (the size is then unchanged).
  bool Resize(size_t n);

 private:
  uint8_t* p_ = nullptr;
  size_t size_ = 0;
  size_t cap_ = 0;
};

}  // namespace matcher
