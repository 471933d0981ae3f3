#pragma once

// Per-thread size-class free lists for the request path's short-lived blocks: coroutine frames
// (net/executor.h routes every awaitable frame on the worker's executor here), the states of
// the I/O operations a request awaits (kNoThrow binds PoolAllocator to them) and Beast header
// fields (http/fields.h). A proxied request allocates and frees a dozen such blocks of
// 80–1,100 bytes; glibc's per-thread cache keeps only 7 blocks per size and Asio's own
// recycling cache a few first-fit slots (nothing over 1,020 bytes), so with tens of requests in
// flight on a worker most of them went to malloc's slower paths (consolidation, unlinking) —
// about a fifth of the proxy's user-space time.
//
// Blocks are served from a free list per 16-byte size class up to kMaxPooledBytes; larger ones
// go to operator new. A freed block goes to the list of the thread that frees it, whoever
// allocated it (blocks are plain operator new memory underneath), so no list is ever shared:
// no lock, no atomic. Each list keeps at most kMaxBytesPerClass bytes of blocks (the rest goes
// back to operator delete), so a burst of connections does not leave a worker holding its peak
// forever; a thread's lists are returned when the thread exits.
//
// Under AddressSanitizer every block goes straight to operator new/delete, so ASan still sees
// each use after free.
//
// Any thread. deallocate() must be given the size that allocate() was asked for.

#include <cstddef>
#include <cstdint>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define PORTICO_FRAME_POOL_BYPASS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PORTICO_FRAME_POOL_BYPASS 1
#endif
#endif

namespace portico::dp::net {

class FramePool {
 public:
  static constexpr size_t kGranule = 16;
  static constexpr size_t kMaxPooledBytes = 2048;
  static constexpr size_t kClasses = kMaxPooledBytes / kGranule;
  static constexpr size_t kMaxBytesPerClass = 256 << 10;

  static void* allocate(size_t size) {
#if !defined(PORTICO_FRAME_POOL_BYPASS)
    if (size - 1 < kMaxPooledBytes) {  // size 0 wraps around: not pooled
      Lists& lists = tls_lists_;
      const size_t index = (size - 1) / kGranule;
      if (Block* block = lists.head[index]) {
        lists.head[index] = block->next;
        --lists.count[index];
        return block;
      }
      return ::operator new((index + 1) * kGranule);
    }
#endif
    return ::operator new(size);
  }

  static void deallocate(void* pointer, size_t size) noexcept {
#if !defined(PORTICO_FRAME_POOL_BYPASS)
    if (size - 1 < kMaxPooledBytes) {
      Lists& lists = tls_lists_;
      const size_t index = (size - 1) / kGranule;
      if (lists.count[index] < maxCount(index) && !lists.retired) {
        if (!lists.registered) registerThread();
        auto* block = static_cast<Block*>(pointer);
        block->next = lists.head[index];
        lists.head[index] = block;
        ++lists.count[index];
        return;
      }
      ::operator delete(pointer);
      return;
    }
#endif
    ::operator delete(pointer);
  }

  // This thread's pooled blocks, for tests and diagnostics.
  static size_t pooledBlocks();

 private:
  struct Block {
    Block* next;
  };
  // Trivially destructible, so it can be read at any time in the thread's life, also while
  // other thread_local objects are being destroyed; `retired` is set once its blocks were
  // returned at thread exit, after which blocks are freed directly.
  struct Lists {
    Block* head[kClasses];
    uint32_t count[kClasses];
    bool registered;
    bool retired;
  };

  static constexpr uint32_t maxCount(size_t index) {
    return static_cast<uint32_t>(kMaxBytesPerClass / ((index + 1) * kGranule));
  }
  // Arranges for this thread's blocks to be freed when it exits (first block pooled only).
  static void registerThread();
  static void releaseThread() noexcept;
  struct ThreadReleaser;  // its thread_local instance calls releaseThread() at thread exit

  static inline thread_local constinit Lists tls_lists_{};
};

// A stateless standard allocator over FramePool (every instance is equal).
template <typename T>
struct PoolAllocator {
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__, "FramePool blocks are new-aligned");
  using value_type = T;
  PoolAllocator() = default;
  template <typename U>
  PoolAllocator(const PoolAllocator<U>&) noexcept {}  // NOLINT: implicit, as allocators are
  T* allocate(size_t n) { return static_cast<T*>(FramePool::allocate(n * sizeof(T))); }
  void deallocate(T* p, size_t n) noexcept { FramePool::deallocate(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const PoolAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace portico::dp::net
