#pragma once

#include <stdexcept>
#include <string>

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

}  // namespace detail
}  // namespace tapeless
