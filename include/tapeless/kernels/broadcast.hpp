#pragma once

#include <Eigen/Core>

namespace tapeless::kernels {

// y = the row r (1 x C) repeated over y's rows. Eigen writes `rowwise() =`
// one coefficient at a time; a destination of one row is a plain copy,
// which it writes in packets. The node that reads y next (a product adding
// to it, a loss) reads in packets, and a packet load that spans several
// scalar stores is not forwarded from the store buffer but waits for the
// cache: P1 (batch 1) with clang++, 41.6 -> 28 ns a step together with
// kernels::product's tiny path (bench/README.md).
template <class Y, class R>
void broadcast_row(Y& y, const R& r) {
  if constexpr (Y::RowsAtCompileTime == 1)
    y = r.row(0);
  else
    y.rowwise() = r.row(0);
}

}  // namespace tapeless::kernels
