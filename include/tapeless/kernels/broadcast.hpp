#pragma once

#include <Eigen/Core>

namespace tapeless::kernels {

// y = the row r (1 x C) repeated over y's rows. Eigen writes `rowwise() =`
// one coefficient at a time, even for one row; a destination of one row is
// a plain copy, written in packets, as the node that reads y next reads it
// (why that matters: kernels::product's tiny path).
template <class Y, class R>
void broadcast_row(Y& y, const R& r) {
  if constexpr (Y::RowsAtCompileTime == 1)
    y = r.row(0);
  else
    y.rowwise() = r.row(0);
}

}  // namespace tapeless::kernels
