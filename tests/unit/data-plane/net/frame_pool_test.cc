// net::FramePool: size-class reuse, its per-class bound, blocks freed on another thread, and the
// property it exists for: in steady state, coroutines on the worker executor (frames, and the
// operations they await) allocate nothing from the global heap. This executable replaces the
// global operator new to count allocations, so it is its own test binary.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <cstdlib>
#include <new>
#include <thread>
#include <vector>

#include "data-plane/net/executor.h"
#include "data-plane/net/frame_pool.h"

namespace {
std::atomic<size_t> g_allocations{0};
}  // namespace

void* operator new(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace portico::dp::net {
namespace {

#if defined(PORTICO_FRAME_POOL_BYPASS)
constexpr bool kPooled = false;  // ASan builds pass every block to operator new (frame_pool.h)
#else
constexpr bool kPooled = true;
#endif

TEST(FramePoolTest, ReusesFreedBlocksOfTheSameSizeClass) {
  if (!kPooled) GTEST_SKIP() << "the pool is bypassed under AddressSanitizer";
  void* a = FramePool::allocate(100);
  FramePool::deallocate(a, 100);
  const size_t before = g_allocations.load();
  void* b = FramePool::allocate(97);  // same 16-byte class (97..112)
  EXPECT_EQ(b, a);
  EXPECT_EQ(g_allocations.load(), before);
  void* c = FramePool::allocate(113);  // the next class: a new block
  EXPECT_NE(c, a);
  FramePool::deallocate(b, 97);
  FramePool::deallocate(c, 113);
}

TEST(FramePoolTest, LargeBlocksAreNotPooled) {
  const size_t pooled = FramePool::pooledBlocks();
  void* big = FramePool::allocate(FramePool::kMaxPooledBytes + 1);
  FramePool::deallocate(big, FramePool::kMaxPooledBytes + 1);
  EXPECT_EQ(FramePool::pooledBlocks(), pooled);
}

TEST(FramePoolTest, KeepsAtMostItsBoundPerClass) {
  if (!kPooled) GTEST_SKIP() << "the pool is bypassed under AddressSanitizer";
  constexpr size_t kSize = 1024;
  const size_t bound = FramePool::kMaxBytesPerClass / kSize;
  std::vector<void*> blocks;
  for (size_t i = 0; i < bound + 50; ++i) blocks.push_back(FramePool::allocate(kSize));
  const size_t pooled = FramePool::pooledBlocks();
  for (void* block : blocks) FramePool::deallocate(block, kSize);
  EXPECT_EQ(FramePool::pooledBlocks() - pooled, bound);
}

TEST(FramePoolTest, BlockFreedOnAnotherThreadJoinsThatThreadsList) {
  if (!kPooled) GTEST_SKIP() << "the pool is bypassed under AddressSanitizer";
  void* block = FramePool::allocate(200);
  const size_t here = FramePool::pooledBlocks();
  size_t there = 0;
  std::thread other([&] {
    FramePool::deallocate(block, 200);
    there = FramePool::pooledBlocks();
    void* again = FramePool::allocate(200);  // served from this thread's list
    EXPECT_EQ(again, block);
    FramePool::deallocate(again, 200);
  });  // exits holding the block: returned to operator delete at thread exit
  other.join();
  EXPECT_EQ(there, 1u);
  EXPECT_EQ(FramePool::pooledBlocks(), here);
}

// A frame over 1 KiB (Asio's own recycling cache never keeps one), live across a suspension.
Awaitable<int> child(int value) {
  volatile char scratch[1200];
  scratch[value % sizeof(scratch)] = static_cast<char>(value);
  co_await boost::asio::post(co_await boost::asio::this_coro::executor, kNoThrow);
  co_return value + 1 + scratch[value % sizeof(scratch)] - static_cast<char>(value);
}

Awaitable<void> loop(int iterations, int& sum) {
  for (int i = 0; i < iterations; ++i) sum += co_await child(i);
}

TEST(FramePoolTest, SteadyStateCoroutinesAllocateNothing) {
  if (!kPooled) GTEST_SKIP() << "the pool is bypassed under AddressSanitizer";
  // 32 loops interleaved, like connections on a worker: 32 large child frames live at once.
  constexpr int kLoops = 32;
  boost::asio::io_context io(1);
  std::vector<int> warm(kLoops, 0);
  for (int& sum : warm) boost::asio::co_spawn(io.get_executor(), loop(10, sum), boost::asio::detached);
  io.run();
  io.restart();
  ASSERT_EQ(warm[0], 55);
  std::vector<int> sums(kLoops, 0);
  // Spawning allocates Asio's per-spawn thread state; the measured part is what every
  // iteration does: a child frame, a post and its completion.
  for (int& sum : sums) boost::asio::co_spawn(io.get_executor(), loop(1000, sum), boost::asio::detached);
  const size_t before = g_allocations.load();
  io.run();
  const size_t during = g_allocations.load() - before;
  EXPECT_EQ(sums[kLoops - 1], 500500);
  EXPECT_LT(during, 10u) << "allocations over " << kLoops << " x 1,000 iterations";
}

}  // namespace
}  // namespace portico::dp::net
