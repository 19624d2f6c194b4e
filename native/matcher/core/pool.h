// The gallery's own worker threads. A search (or a bandwidth probe) hands the pool one body
// that claims work items from a shared atomic counter until none are left; the calling
// thread runs the body too, so a busy pool never blocks a search, it only stops helping.
// Several searches can be in flight at once (each from its own libuv worker).
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace matcher {

class Pool {
 public:
  // `threads` participants in total, the caller included: threads - 1 workers are started.
  explicit Pool(unsigned threads);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  unsigned threads() const { return threads_; }

  // Runs `body` on the caller and on up to `helpers` idle workers at once; returns when
  // every started copy has returned. No copy starts after the caller's copy has returned.
  void Run(unsigned helpers, const std::function<void()>& body);

 private:
  struct Job {
    const std::function<void()>* body;
    std::mutex m;
    std::condition_variable done;
    unsigned running = 0;
    bool closed = false;
  };
  void Loop();

  unsigned threads_;
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Job>> queue_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace matcher
