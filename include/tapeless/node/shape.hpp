#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include <tapeless/kernels/storage.hpp>

// How an op's result shape follows from its operands': statically (rows may
// be `dynamic`) and at run time, where dynamic batch sizes are compared. The
// static comparisons that users can get wrong are checked where the
// expression is built (see checks.hpp), so these rules assume valid operands.
namespace tapeless {

// Thrown when run-time sizes disagree: two dynamic batches of different size,
// or data fed with the wrong number of rows or columns.
struct shape_error : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

namespace detail {
// Whether a value fed as data (a class label, an embedding id) is an integer
// in [0, n). The range is compared in the value's own type first: converting
// NaN, or a number no integer type holds, is itself undefined behaviour.
template <class S>
constexpr bool is_index_below(S v, long long n) {
  return v >= 0 && v < static_cast<S>(n) && static_cast<S>(static_cast<long long>(v)) == v;
}
}  // namespace detail

namespace shape_rules {

// The static row count of operands combined elementwise: the fixed one if any.
template <int... R>
inline constexpr int common_rows = [] {
  int out = dynamic;
  ((out = (R != dynamic ? R : out)), ...);
  return out;
}();

// All operands have one shape, and so has the result.
struct elementwise {
  template <class... C>
  struct of {
    static constexpr int rows = common_rows<C::rows...>;
    static constexpr int cols = (C::cols, ...);
  };
  template <class... Index>
  static Eigen::Index runtime_rows(std::string_view op, Eigen::Index first, Index... rest) {
    if (((rest != first) || ...))
      throw shape_error("tapeless: " + std::string(op) +
                        ": the operands' batch sizes (rows) differ at run time: " +
                        ((std::to_string(first)) + ... + (" and " + std::to_string(rest))) +
                        "; feed the inputs of one expression with the same number of rows");
    return first;
  }
};

// The result has the shape of the first operand.
struct like_first {
  template <class First, class...>
  struct of {
    static constexpr int rows = First::rows;
    static constexpr int cols = First::cols;
  };
  template <class... Index>
  static Eigen::Index runtime_rows(std::string_view, Eigen::Index first, Index...) {
    return first;
  }
};

// A 1x1 result (reductions, losses) of operands that share one shape.
struct scalar {
  template <class...>
  struct of {
    static constexpr int rows = 1;
    static constexpr int cols = 1;
  };
  template <class... Index>
  static Eigen::Index runtime_rows(std::string_view op, Index... operands) {
    elementwise::runtime_rows(op, operands...);
    return 1;
  }
};

}  // namespace shape_rules
}  // namespace tapeless
