#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

#include <tapeless/node/expr.hpp>
#include <tapeless/node/parameter.hpp>

// Identity at run time. A parameter's identity is a type (model tag, layer,
// kind), so two objects of one model type are one node to the compiler; the
// types cannot tell them apart, so every place that could hand one object's
// gradient to the other compares addresses and throws identity_error.
namespace tapeless {

// Thrown where two objects of one model type meet but only one can be meant:
// in one loss, in a request against the loss, in reading a gradient or in an
// optimizer step. A mistake in the program, not in its data.
struct identity_error : std::logic_error {
  using std::logic_error::logic_error;
};

namespace detail {

// What to do instead, the same wherever the mistake is found.
inline constexpr const char* identity_fixes =
    "objects of one model type share their parameters' identity (the tag), and a copy of "
    "values is not a dependency: give each model object its own tag type "
    "(tl::model<struct my_copy, ...>) and copy values with copy_values_from, or compute one "
    "model's weights from another's with with_weights";

// Out of line and cold, the parameter's name made only here: every
// parameter of every program has a call site, and an inlined message for
// each cost compile time (about a tenth at 32 layers) for a path that runs
// at most once.
[[noreturn, gnu::noinline, gnu::cold]] inline void throw_identity_error(const char* where,
                                                                        std::string (*parameter)(),
                                                                        const char* what) {
  throw identity_error(std::string("tapeless: ") + where + ": parameter " + parameter() + " " +
                       what + "; " + identity_fixes);
}

// A parameter's identity as a value: one address per id type (a variable
// that is never written, so no linker folds two of them into one).
template <class Id>
inline char parameter_token = 0;
template <class Node>
inline constexpr const void* token_of = nullptr;
template <class Id, class S, int R, int C>
inline constexpr const void* token_of<parameter_ref<Id, S, R, C>> = &parameter_token<Id>;
// Its name, for messages (null for other nodes).
template <class Node>
inline constexpr std::string (*name_of)() = nullptr;
template <class Id, class S, int R, int C>
inline constexpr std::string (*name_of<parameter_ref<Id, S, R, C>>)() =
    &parameter_ref<Id, S, R, C>::name;

// Which objects an expression reads its parameters from: for each token
// looked for, the object of its first read. With `agree`, every later read
// must be of the same object (identity_error otherwise): two objects of one
// model type in one expression would be one node.
struct parameter_reads {
  const void* const* tokens;
  const void** objects;
  std::size_t size;
  bool agree;
};

// One function for every walk, out of line: a walk's code is its calls.
[[gnu::noinline]] inline void record_read(const parameter_reads& reads, const void* token,
                                          const void* object, std::string (*name)()) {
  for (std::size_t i = 0; i < reads.size; ++i) {
    if (reads.tokens[i] != token) continue;
    if (reads.objects[i] == nullptr)
      reads.objects[i] = object;
    else if (reads.agree && reads.objects[i] != object)
      throw_identity_error("graph", name,
                           "is read from two objects of one model type in one expression, and "
                           "their gradients would be merged");
    return;
  }
}

template <class N>
inline constexpr bool reads_parameters = is_parameter_ref_v<N>;
template <class Op, class... C>
inline constexpr bool reads_parameters<expr<Op, C...>> = (reads_parameters<C> || ...);

template <class Node>
void find_reads(const Node& n, const parameter_reads& reads);
template <class Op, class... C, std::size_t... J>
void find_reads_in_operands(const expr<Op, C...>& n, const parameter_reads& reads,
                            std::index_sequence<J...>) {
  (detail::find_reads(tapeless::get<J>(n.children), reads), ...);
}
// Records every parameter read of expression `n` in `reads`. The walk is one
// function per node type in a translation unit, whoever asks (every
// program, every tl::grad request) and for whichever parameters, and
// subtrees that read none are not walked: a gradient expression has
// thousands of node types, and walks per program or per requested parameter
// were a fifth of the code of a test of tl::hvp.
template <class Node>
void find_reads(const Node& n, const parameter_reads& reads) {
  if constexpr (is_parameter_ref_v<Node>)
    detail::record_read(reads, token_of<Node>, n.target, name_of<Node>);
  else if constexpr (is_expr_v<Node> && reads_parameters<Node>)
    detail::find_reads_in_operands(n, reads, std::make_index_sequence<Node::arity>{});
}

}  // namespace detail
}  // namespace tapeless
