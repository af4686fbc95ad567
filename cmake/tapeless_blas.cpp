// The one translation unit of tapeless::blas (tapeless-blas.cmake): the
// kernels of kernels/product.hpp, instantiated once with TAPELESS_BLAS (so
// large products go to OpenBLAS, kernels/blas.hpp), the calls to OpenBLAS,
// so that only this file sees cblas.h, and the helper threads.
#define TAPELESS_INSTANTIATE_KERNELS
#include <tapeless/kernels/product.hpp>

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

// Threads: OpenBLAS always runs on one thread here, and a product on n
// threads is cut into n blocks of columns (or rows, whichever side is
// longer), one OpenBLAS call each, on the calling thread and n - 1 helper
// threads that live as long as the count. OpenBLAS's own threads were
// measured and not kept: its threaded GEMM (0.3.21, as Debian builds it)
// allocates 512 KiB at every call, and it synchronises inside libgomp,
// which ThreadSanitizer cannot see (docs/design.md, section 6).
namespace tapeless::kernels {
namespace {

std::atomic<int> requested{1};

// OpenBLAS's own default is every core; its OpenMP build keeps the count
// per calling thread, so every thread that calls it says 1 first.
void single_threaded_blas() {
  thread_local const bool once = (openblas_set_num_threads(1), true);
  static_cast<void>(once);
}

// Returns once `a` no longer holds `old`. Spins first: the other blocks of
// a product, and the next product of a step, usually come within
// microseconds, where sleeping and waking up again costs tens of them
// (more when the scheduler gives the core to another process meanwhile).
template <class T>
void await_change(const std::atomic<T>& a, T old) {
  for (int i = 0; i < 20000; ++i)
    if (a.load(std::memory_order_acquire) != old) return;
  a.wait(old, std::memory_order_acquire);
}

// One part of a split product: `run(product, part)`.
struct job {
  void (*run)(const void* product, int part);
  const void* product;
};

// The helper threads, shared by the whole process. Every thread of a
// product, the caller included, claims parts until none is left, so a
// helper that the system has not yet scheduled (the other core busy)
// leaves its part to the caller instead of holding it up. A product that
// finds the helpers busy (another thread's product holds them) runs all its
// parts itself. Either way the parts are the same: results do not depend on
// who computed them.
class helpers {
  std::mutex busy_;
  std::vector<std::thread> threads_;
  // A new job, or stop_, for every helper. 32 bits: std::atomic::wait is a
  // plain futex for those in libstdc++.
  std::atomic<std::uint32_t> round_{0};
  std::atomic<std::uint64_t> claims_{0};  // parts << 32 | the next part to claim
  std::atomic<int> done_{0};              // parts finished in this round
  job job_{};
  // Atomic: a helper may still be reading it for a round whose parts the
  // caller has already done itself.
  std::atomic<bool> stop_{false};

  void work() {
    std::uint64_t c = claims_.load(std::memory_order_acquire);
    while ((c & 0xffffffff) < (c >> 32)) {
      if (!claims_.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel,
                                         std::memory_order_acquire))
        continue;
      job_.run(job_.product, static_cast<int>(c & 0xffffffff));
      done_.fetch_add(1, std::memory_order_release);
      done_.notify_one();
      c = claims_.load(std::memory_order_acquire);
    }
  }

  void serve(std::uint32_t seen) {
    single_threaded_blas();
    for (;;) {
      await_change(round_, seen);
      seen = round_.load(std::memory_order_acquire);
      if (stop_.load(std::memory_order_relaxed)) return;
      work();
    }
  }

  void wake() {
    round_.fetch_add(1, std::memory_order_release);
    round_.notify_all();
  }

  // Starts or stops helpers when the count has changed (the only time this
  // allocates).
  void resize(std::size_t count) {
    if (threads_.size() == count) return;
    stop_.store(true, std::memory_order_relaxed);
    wake();
    for (auto& t : threads_) t.join();
    threads_.clear();
    stop_.store(false, std::memory_order_relaxed);
    for (std::size_t i = 0; i < count; ++i)
      threads_.emplace_back(&helpers::serve, this, round_.load());
  }

 public:
  ~helpers() {
    const std::lock_guard lock(busy_);
    resize(0);
  }

  // Parts 0 .. parts - 1 of `j`, on this thread and parts - 1 helpers.
  void run(job j, int parts) {
    std::unique_lock lock(busy_, std::try_to_lock);
    if (!lock) {
      for (int p = 0; p < parts; ++p) j.run(j.product, p);
      return;
    }
    resize(static_cast<std::size_t>(parts - 1));
    job_ = j;
    done_.store(0, std::memory_order_relaxed);
    claims_.store(static_cast<std::uint64_t>(parts) << 32, std::memory_order_release);
    wake();
    work();
    for (int done; (done = done_.load(std::memory_order_acquire)) != parts;)
      await_change(done_, done);
  }
};

helpers& shared_helpers() {
  static helpers h;
  return h;
}

CBLAS_TRANSPOSE op(bool transpose) { return transpose ? CblasTrans : CblasNoTrans; }

template <class S>
using gemm_function = void (*)(CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, blasint, blasint,
                               blasint, S, const S*, blasint, const S*, blasint, S, S*, blasint);

// c (+)= op(a) op(b), cut into `parts` blocks of whole columns of c (or of
// rows, if c has more rows), each a multiple of 16 (whole SIMD registers)
// but the last.
template <class S>
struct product {
  gemm_function<S> gemm;
  bool transpose_a, transpose_b, by_rows;
  Eigen::Index m, n, k;
  const S* a;
  Eigen::Index lda;
  const S* b;
  Eigen::Index ldb;
  bool accumulate;
  S* c;
  Eigen::Index ldc;
  Eigen::Index block;

  // beta = 0 assigns: the BLAS then never reads c, so whatever it held
  // (NaN included) does not show.
  void run(int part) const {
    const Eigen::Index first = part * block, size = std::min(block, (by_rows ? m : n) - first);
    if (size <= 0) return;
    const auto i = [](Eigen::Index v) { return static_cast<blasint>(v); };
    // Row r of op(a) starts at a + r (or a + r lda if a is transposed);
    // column j of op(b) at b + j ldb (or b + j); c's at c + r and c + j ldc.
    const S* pa = by_rows ? a + first * (transpose_a ? lda : 1) : a;
    const S* pb = by_rows ? b : b + first * (transpose_b ? 1 : ldb);
    S* pc = c + first * (by_rows ? 1 : ldc);
    gemm(CblasColMajor, op(transpose_a), op(transpose_b), i(by_rows ? size : m),
         i(by_rows ? n : size), i(k), S{1}, pa, i(lda), pb, i(ldb), accumulate ? S{1} : S{0}, pc,
         i(ldc));
  }
};

// m * n * k from which a product is split: a part then takes tens of
// microseconds, against a few for waking a helper.
constexpr Eigen::Index split_threshold = 128 * 128 * 128;

template <class S>
void split(gemm_function<S> gemm, bool transpose_a, bool transpose_b, Eigen::Index m,
           Eigen::Index n, Eigen::Index k, const S* a, Eigen::Index lda, const S* b,
           Eigen::Index ldb, bool accumulate, S* c, Eigen::Index ldc) {
  single_threaded_blas();
  const int parts = m * n * k < split_threshold ? 1 : requested.load(std::memory_order_relaxed);
  const bool by_rows = m > n;
  const Eigen::Index side = by_rows ? m : n, block = ((side + parts - 1) / parts + 15) / 16 * 16;
  const product<S> p{gemm, transpose_a, transpose_b, by_rows,    m, n,   k,    a,
                     lda,  b,           ldb,         accumulate, c, ldc, block};
  if (parts == 1) return p.run(0);
  shared_helpers().run(
      {[](const void* q, int part) { static_cast<const product<S>*>(q)->run(part); }, &p}, parts);
}

}  // namespace

void set_threads(int n) {
  if (n < 1)
    throw std::invalid_argument("tapeless: set_threads(n): n must be at least 1; given n = " +
                                std::to_string(n));
  requested.store(n, std::memory_order_relaxed);
}

int threads() { return requested.load(std::memory_order_relaxed); }

namespace blas {

void gemm(bool transpose_a, bool transpose_b, Eigen::Index m, Eigen::Index n, Eigen::Index k,
          const float* a, Eigen::Index lda, const float* b, Eigen::Index ldb, bool accumulate,
          float* c, Eigen::Index ldc) {
  split<float>(cblas_sgemm, transpose_a, transpose_b, m, n, k, a, lda, b, ldb, accumulate, c, ldc);
}

void gemm(bool transpose_a, bool transpose_b, Eigen::Index m, Eigen::Index n, Eigen::Index k,
          const double* a, Eigen::Index lda, const double* b, Eigen::Index ldb, bool accumulate,
          double* c, Eigen::Index ldc) {
  split<double>(cblas_dgemm, transpose_a, transpose_b, m, n, k, a, lda, b, ldb, accumulate, c, ldc);
}

}  // namespace blas
}  // namespace tapeless::kernels
