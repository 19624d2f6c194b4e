// k-bounded selection. Each scanning thread keeps its own heap of at most k hits and the
// heaps are merged at the end, so a search allocates O(k x threads), never O(gallery).
// Order: higher score first; equal scores by lower row index, so the result does not depend
// on how the rows were split between threads. NaN never enters (a hostile file may hold it).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace matcher {

struct Hit {
  float score;
  size_t row;
};

inline bool Better(const Hit& a, const Hit& b) { return a.score > b.score || (a.score == b.score && a.row < b.row); }

class TopK {
 public:
  explicit TopK(size_t k) : k_(k) { heap_.reserve(k); }

  // The heap's front is its worst hit (std heaps keep the "largest" under the comparator).
  void Push(float score, size_t row) {
    if (k_ == 0 || std::isnan(score)) return;
    const Hit h{score, row};
    if (heap_.size() < k_) {
      heap_.push_back(h);
      std::push_heap(heap_.begin(), heap_.end(), Better);
    } else if (Better(h, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), Better);
      heap_.back() = h;
      std::push_heap(heap_.begin(), heap_.end(), Better);
    }
  }

  // A score that cannot enter the heap (fast path for the scan loop).
  bool Rejects(float score) const { return heap_.size() == k_ && score < heap_.front().score; }

  // Scores below this cannot enter (-inf while the heap is not full).
  float Threshold() const { return heap_.size() == k_ && k_ > 0 ? heap_.front().score : -HUGE_VALF; }

  void Merge(const TopK& other) {
    for (const Hit& h : other.heap_) Push(h.score, h.row);
  }

  std::vector<Hit> Sorted() const {
    std::vector<Hit> out = heap_;
    std::sort(out.begin(), out.end(), Better);
    return out;
  }

 private:
  size_t k_;
  std::vector<Hit> heap_;
};

}  // namespace matcher
