// Why a model gets no gradient, asked of the library instead of found out
// at run time: examples/two_models.cpp's copied-weights mistake (c's values
// copied from b, the loss built from b), as a dependency report and as a
// picture of the gradient program.
//
//   explain              prints the report
//   explain out.dot      also writes the picture as Graphviz DOT:
//                        dot -Tsvg out.dot > out.svg
//
// The README's picture, docs/two_models_gradient.svg, is this program's DOT
// rendered by Debian's graphviz: `cmake --build <build> --target
// docs_picture` regenerates it.

#include <cstdio>
#include <fstream>

#include <tapeless/inspect/explain.hpp>
#include <tapeless/inspect/to_dot.hpp>
#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

using model_a_t = tl::model<struct model_a, float, tl::Dense<5, 10>>;
using model_b_t = tl::model<struct model_b, float, tl::Dense<2, 5>>;
using model_c_t = tl::model<struct model_c, float, tl::Dense<2, 5>>;  // b's twin

int main(int argc, char** argv) {
  model_a_t a;
  model_b_t b;
  model_c_t c;
  c.copy_values_from(b);
  const tl::input<struct x, float, 2> x;
  const auto loss = tl::mean(tl::square(a(b(x))));

  // tl::gradient(loss, b, c) does not compile; explaining it does.
  const auto why = tl::explain(loss, b, c);
  static_assert(why.status(b.layer<0>().weight) == tl::dependency::connected);
  static_assert(why.status(c.layer<0>().weight) == tl::dependency::not_used);
  std::fputs(why.text().c_str(), stdout);

  if (argc > 1) {
    std::ofstream out(argv[1]);
    out << tl::to_dot(loss, b, c);
    if (!out.flush()) {
      std::fprintf(stderr, "explain: cannot write %s\n", argv[1]);
      return 1;
    }
  }
  return 0;
}
