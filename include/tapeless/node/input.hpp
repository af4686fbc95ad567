#pragma once

#include <type_traits>

#include <tapeless/checks.hpp>
#include <tapeless/kernels/storage.hpp>

namespace tapeless {

// A placeholder for data fed when a program runs: `Features` columns, and a
// batch of `Batch` rows (`dynamic`: given by the data at each call). Its tag
// type names it in diagnostics. A `variable` is an input the loss can be
// differentiated with respect to (what `tape.watch(x)` is for); a plain
// `input` is data and is never differentiated.
template <class Tag, class S, int Features, int Batch, bool Differentiable>
struct input_leaf {
  static_assert(check::enforce<check::input_sizes_are_valid<Features, Batch>>);
  using tapeless_node = void;
  using tag = Tag;
  using scalar = S;
  // Clamped, so that after a failed check the rest still compiles.
  static constexpr int rows = Batch > 0 ? Batch : dynamic;
  static constexpr int cols = Features > 0 ? Features : 1;
  static constexpr bool differentiable = Differentiable;
};

template <class Tag, class S, int Features, int Batch = dynamic>
using input = input_leaf<Tag, S, Features, Batch, false>;

template <class Tag, class S, int Features, int Batch = dynamic>
using variable = input_leaf<Tag, S, Features, Batch, true>;

template <class T>
inline constexpr bool is_input_v = false;
template <class Tag, class S, int F, int B, bool D>
inline constexpr bool is_input_v<input_leaf<Tag, S, F, B, D>> = true;

}  // namespace tapeless
