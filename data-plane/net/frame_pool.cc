#include "data-plane/net/frame_pool.h"

namespace portico::dp::net {

struct FramePool::ThreadReleaser {
  ~ThreadReleaser() { FramePool::releaseThread(); }
};

void FramePool::registerThread() {
  static thread_local ThreadReleaser releaser;
  (void)releaser;  // odr-use: constructs it, so its destructor runs at thread exit
  tls_lists_.registered = true;
}

void FramePool::releaseThread() noexcept {
  Lists& lists = tls_lists_;
  lists.retired = true;  // blocks freed from now on (later thread_local destructors) go to delete
  for (size_t index = 0; index < kClasses; ++index) {
    while (Block* block = lists.head[index]) {
      lists.head[index] = block->next;
      ::operator delete(block);
    }
    lists.count[index] = 0;
  }
}

size_t FramePool::pooledBlocks() {
  size_t total = 0;
  for (uint32_t count : tls_lists_.count) total += count;
  return total;
}

}  // namespace portico::dp::net
