#include "pool.h"

namespace matcher {

Pool::Pool(unsigned threads) : threads_(threads < 1 ? 1 : threads) {
  for (unsigned i = 1; i < threads_; i++) workers_.emplace_back([this] { Loop(); });
}

Pool::~Pool() {
  {
    std::lock_guard<std::mutex> lock(m_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void Pool::Loop() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(m_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_ && queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    {
      std::lock_guard<std::mutex> lock(job->m);
      if (job->closed) continue;  // the caller already finished every work item
      job->running++;
    }
    (*job->body)();
    {
      std::lock_guard<std::mutex> lock(job->m);
      job->running--;
    }
    job->done.notify_all();
  }
}

void Pool::Run(unsigned helpers, const std::function<void()>& body) {
  if (helpers > workers_.size()) helpers = static_cast<unsigned>(workers_.size());
  auto job = std::make_shared<Job>();
  job->body = &body;
  if (helpers > 0) {
    {
      std::lock_guard<std::mutex> lock(m_);
      for (unsigned i = 0; i < helpers; i++) queue_.push_back(job);
    }
    if (helpers == 1) {
      cv_.notify_one();
    } else {
      cv_.notify_all();
    }
  }
  body();
  std::unique_lock<std::mutex> lock(job->m);
  job->closed = true;
  job->done.wait(lock, [&] { return job->running == 0; });
}

}  // namespace matcher
