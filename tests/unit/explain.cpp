// tl::explain on the motivating cases: weights copied from the model the
// loss uses, the two stop_gradient probes (every path cut, one of two
// paths cut), a frozen layer, and the copy done right (weights computed
// from the other model). The table is checked at compile time, the text
// exactly. Then tl::to_dot's structure: every node and edge, with the
// classes that say what the program does. No program is built: both read
// types only.

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>

#include <tapeless/activations/tanh.hpp>
#include <tapeless/inspect/explain.hpp>
#include <tapeless/inspect/to_dot.hpp>
#include <tapeless/layers/dense.hpp>
#include <tapeless/losses/mse.hpp>
#include <tapeless/model.hpp>
#include <tapeless/ops/add.hpp>
#include <tapeless/ops/broadcast_rows.hpp>
#include <tapeless/ops/multiply.hpp>
#include <tapeless/ops/reduce.hpp>
#include <tapeless/ops/scale.hpp>
#include <tapeless/ops/square.hpp>
#include <tapeless/ops/stop_gradient.hpp>

namespace tl = tapeless;

namespace {

// examples/two_models.cpp's models: c is b's twin.
using model_a_t = tl::model<struct model_a, float, tl::Dense<5, 10>>;
using model_b_t = tl::model<struct model_b, float, tl::Dense<2, 5>>;
using model_c_t = tl::model<struct model_c, float, tl::Dense<2, 5>>;
const tl::input<struct x, float, 2> x;

using enc_t = tl::model<struct enc, float, tl::Dense<3, 4, tl::Tanh>>;
using head_t = tl::model<struct head, float, tl::Dense<4, 2>>;
const tl::input<struct features, float, 3> features;
const tl::input<struct targets, float, 2> targets;

using tl::dependency;

// The quoted value of `key="..."` in a DOT line, or empty.
std::string attribute(const std::string& line, const std::string& key) {
  const auto at = line.find(key + "=\"");
  if (at == std::string::npos) return {};
  const auto begin = at + key.size() + 2;
  return line.substr(begin, line.find('"', begin) - begin);
}

// A DOT text as sorted lines "box | label | classes" for nodes (box: the
// model's subgraph, if any) and "from -> to | class" for edges, by label.
struct dot_structure {
  std::vector<std::string> nodes, edges;
  explicit dot_structure(const std::string& dot) {
    std::vector<std::pair<std::string, std::string>> labels;  // id, label
    std::vector<std::array<std::string, 3>> arrows;           // from, to, class
    std::string box, line;
    for (std::size_t begin = 0, end; begin < dot.size(); begin = end + 1) {
      end = dot.find('\n', begin);
      line = dot.substr(begin, end - begin);
      line.erase(0, line.find_first_not_of(' '));
      const std::string id = line.substr(0, line.find(' '));
      if (line.rfind("subgraph cluster_", 0) == 0) {
        box = "?";
      } else if (line.rfind("label=", 0) == 0) {
        box = line.substr(7, line.size() - 9);
      } else if (line == "}") {
        box.clear();
      } else if (const auto arrow = line.find(" -> "); arrow != std::string::npos) {
        arrows.push_back({id, line.substr(arrow + 4, line.find(' ', arrow + 4) - arrow - 4),
                          attribute(line, "class")});
      } else if (!attribute(line, "class").empty()) {
        labels.emplace_back(id, attribute(line, "label"));
        nodes.push_back(box + " | " + labels.back().second + " | " + attribute(line, "class"));
      }
    }
    auto label_of = [&](const std::string& id) {
      return std::find_if(labels.begin(), labels.end(), [&](auto& l) { return l.first == id; })
          ->second;
    };
    for (const auto& [from, to, what] : arrows)
      edges.push_back(label_of(from) + " -> " + label_of(to) + " | " + what);
    std::sort(nodes.begin(), nodes.end());
    std::sort(edges.begin(), edges.end());
  }
};

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("explain: weights copied from the model the loss uses", "[explain]") {
  model_a_t a;
  model_b_t b;
  model_c_t c;
  c.copy_values_from(b);
  const auto loss = tl::mean(tl::square(a(b(x))));
  const auto why = tl::explain(loss, b, c);
  STATIC_REQUIRE(why.table == std::array{dependency::connected, dependency::connected,
                                         dependency::not_used, dependency::not_used});
  STATIC_REQUIRE(tl::explain(loss, a, c).status(c.layer<0>().weight) == dependency::not_used);
  STATIC_REQUIRE(tl::explain(loss, a, c).status(a.layer<0>().bias) == dependency::connected);
  CHECK(why.text() ==
        "model_b.layer0.W: connected: model_b.layer0 (Dense layer) -> model_a.layer0 (Dense "
        "layer) -> square -> mean\n"
        "model_b.layer0.b: connected: model_b.layer0 (Dense layer) -> model_a.layer0 (Dense "
        "layer) -> square -> mean\n"
        "model_c.layer0.W: not used: the loss reads model_b, model_a\n"
        "model_c.layer0.b: not used: the loss reads model_b, model_a\n");
}

TEST_CASE("explain: stop_gradient on every path, and on one of two", "[explain][stop_gradient]") {
  enc_t enc;
  head_t head;
  const auto cut = tl::mse(head(tl::stop_gradient(enc(features))), targets);
  const auto why = tl::explain(cut, enc.layer<0>().weight, head.layer<0>().weight);
  STATIC_REQUIRE(why.table == std::array{dependency::cut_by_stop_gradient, dependency::connected});
  CHECK(why.text() ==
        "enc.layer0.W: cut by stop_gradient: stop_gradient(enc.layer0 (Dense layer))\n"
        "head.layer0.W: connected: head.layer0 (Dense layer) -> mse\n");

  // y * stop(y): the parameters reach the loss through the first factor.
  const auto y = enc(features);
  const auto half = tl::sum(y * tl::stop_gradient(y));
  const auto why_half = tl::explain(half, enc.layer<0>().bias);
  STATIC_REQUIRE(why_half.table == std::array{dependency::connected});
  CHECK(why_half.text() ==
        "enc.layer0.b: connected: enc.layer0 (Dense layer) -> operator* -> sum\n");
}

// Read, but through an operand that takes no gradient, with no
// stop_gradient on the way: an encoder's output as an Embedding's ids.
// (The analysis took such operands for shape-only ones and said "not
// used", which the encoder is not.) Only the shape of broadcast_rows'
// `like` is read: a model there is not used.
TEST_CASE("explain: a model's output as an Embedding's ids, and as a shape",
          "[explain][embedding]") {
  tl::model<struct ids_from, float, tl::Dense<3, 1>> enc;
  tl::model<struct lookup, float, tl::Embedding<5, 4, 1>, tl::Dense<4, 2>> lookup;
  const auto loss = tl::mse(lookup(enc(features)), targets);
  const auto why = tl::explain(loss, enc.layer<0>().weight, lookup.layer<1>().bias);
  STATIC_REQUIRE(why.table == std::array{dependency::cut_by_operand, dependency::connected});
  CHECK(why.text() ==
        "ids_from.layer0.W: cut by an operand without gradient: Embedding(lookup.layer0.E, "
        "ids_from.layer0 (Dense layer))\n"
        "lookup.layer1.b: connected: lookup.layer1 (Dense layer) -> mse\n");

  enc_t enc4;
  head_t head;
  const auto shaped = tl::sum(tl::broadcast_rows(lookup.layer<1>().bias, head(enc4(features))));
  const auto why_shaped = tl::explain(shaped, head.layer<0>().weight, lookup.layer<1>().bias);
  STATIC_REQUIRE(why_shaped.table == std::array{dependency::not_used, dependency::connected});
  CHECK(why_shaped.text() ==
        "head.layer0.W: not used: the loss reads lookup\n"
        "lookup.layer1.b: connected: broadcast_rows -> sum\n");
}

// Cut off on one path by stop_gradient and on another by ids: an operand
// that takes no gradient (stop_gradient's does not either), and both ops
// named. A shape-only use of the same leaf cuts nothing: broadcast_rows is
// not named.
TEST_CASE("explain: cut off by stop_gradient and by ids at once", "[explain][embedding]") {
  tl::model<struct ids_from, float, tl::Dense<3, 1>> enc;
  tl::model<struct lookup, float, tl::Embedding<5, 4, 1>, tl::Dense<4, 2>> lookup;
  const auto ids = enc(features);
  const auto mixed = tl::mse(lookup(ids), targets) + tl::sum(tl::stop_gradient(ids));
  const auto why = tl::explain(mixed, enc.layer<0>().bias);
  STATIC_REQUIRE(why.table == std::array{dependency::cut_by_operand});
  CHECK(why.text() ==
        "ids_from.layer0.b: cut by an operand without gradient: Embedding(lookup.layer0.E, "
        "ids_from.layer0 (Dense layer)), stop_gradient(ids_from.layer0 (Dense layer))\n");

  const auto shaped =
      tl::mse(lookup(ids) + tl::broadcast_rows(lookup.layer<1>().bias, ids), targets);
  CHECK(tl::explain(shaped, enc.layer<0>().bias).text() ==
        "ids_from.layer0.b: cut by an operand without gradient: Embedding(lookup.layer0.E, "
        "ids_from.layer0 (Dense layer))\n");
}

// An op of a user's that declares an operand shape-only, and not also
// non-differentiable: no gradient goes there all the same (a shape-only
// operand that took gradient would be needed by the sweep but not read,
// and reported unused).
struct shaped_like_second {
  static constexpr std::string_view name = "shaped_like_second";
  static constexpr bool shape_only(std::size_t operand) { return operand == 1; }
  using shape_rule = tl::shape_rules::elementwise;
};

TEST_CASE("explain: a shape-only operand takes no gradient", "[explain]") {
  enc_t enc;
  head_t head;
  const auto loss = tl::sum(tl::make_expr(shaped_like_second{}, head(enc(features)), targets));
  using dag = tl::graph::dag<std::remove_cvref_t<decltype(loss)>>;
  constexpr auto node = dag::size - 2;  // the op, under the sum
  STATIC_REQUIRE(dag::infos[node].shape_only[1]);
  STATIC_REQUIRE(dag::infos[node].cut[1]);
  STATIC_REQUIRE(!dag::infos[node].cut[0]);
  const auto h = head(enc(features));
  const auto on_shape = tl::sum(tl::make_expr(shaped_like_second{}, targets, h));
  STATIC_REQUIRE(tl::explain(on_shape, head).table ==
                 std::array{dependency::not_used, dependency::not_used});
  (void)loss;
}

TEST_CASE("explain: a frozen layer", "[explain][frozen]") {
  tl::Frozen<enc_t> frozen;
  head_t head;
  const auto loss = tl::mse(head(frozen(features)), targets);
  const auto why = tl::explain(loss, frozen.layer<0>().bias, head);
  STATIC_REQUIRE(why.table ==
                 std::array{dependency::frozen, dependency::connected, dependency::connected});
  CHECK(why.text() ==
        "enc.layer0.b: frozen: enc.layer0 is declared Frozen\n"
        "head.layer0.W: connected: head.layer0 (Dense layer) -> mse\n"
        "head.layer0.b: connected: head.layer0 (Dense layer) -> mse\n");
}

TEST_CASE("explain: the copy done right, c's weights computed from b's", "[explain][computed]") {
  model_a_t a;
  model_b_t b;
  const auto c_from_b = model_c_t::with_weights(2.0f * b.layer<0>().weight, b.layer<0>().bias);
  const auto loss = tl::mean(tl::square(a(c_from_b(x))));
  model_c_t c;
  const auto why = tl::explain(loss, b, c.layer<0>().weight);
  STATIC_REQUIRE(why.table ==
                 std::array{dependency::connected, dependency::connected, dependency::not_used});
  CHECK(why.text() ==
        "model_b.layer0.W: connected: scaling by a number -> Dense layer -> "
        "model_a.layer0 (Dense layer) -> square -> mean\n"
        "model_b.layer0.b: connected: Dense layer -> model_a.layer0 (Dense layer) "
        "-> square -> mean\n"
        "model_c.layer0.W: not used: the loss reads model_b, model_a\n");
}

TEST_CASE("explain: a variable used twice by one node, and another object of a model type",
          "[explain][identity]") {
  // v * v writes v's adjoint twice from one node (zeroed, then accumulated):
  // still one route. The report answers for types, as tl::depends_on_v
  // does: a second object of b's type is b to the compiler (tl::gradient
  // tells them apart at run time, with tl::identity_error).
  const tl::variable<struct v, float, 3> v;
  model_b_t b, other;
  const auto loss = tl::sum(v * v) + tl::mean(b(x));
  const auto why = tl::explain(loss, v, other.layer<0>().weight);
  STATIC_REQUIRE(why.status(v) == dependency::connected);
  CHECK(why.text() ==
        "v: connected: operator* -> sum -> operator+\n"
        "model_b.layer0.W: connected: model_b.layer0 (Dense layer) -> mean -> "
        "operator+\n");
}

TEST_CASE("to_dot: copied weights, one model's sweep stops at the other", "[to_dot]") {
  model_a_t a;
  model_b_t b;
  model_c_t c;
  const auto loss = tl::mean(tl::square(a(b(x))));
  const dot_structure dot(tl::to_dot(loss, b, c));
  CHECK(dot.nodes == sorted({
                         "model_b | model_b.layer0.W | visited requested",
                         "model_b | model_b.layer0.b | visited requested",
                         "model_b | model_b.layer0 (Dense layer) | visited",
                         "model_a | model_a.layer0.W | skipped",
                         "model_a | model_a.layer0.b | skipped",
                         "model_a | model_a.layer0 (Dense layer) | visited",
                         "model_c | model_c.layer0.W (not used) | requested not-used",
                         "model_c | model_c.layer0.b (not used) | requested not-used",
                         " | x | skipped",
                         " | square | visited",
                         " | mean | visited loss",
                     }));
  CHECK(dot.edges == sorted({
                         "x -> model_b.layer0 (Dense layer) | forward",
                         "model_b.layer0.W -> model_b.layer0 (Dense layer) | assign",
                         "model_b.layer0.b -> model_b.layer0 (Dense layer) | assign",
                         "model_b.layer0 (Dense layer) -> model_a.layer0 (Dense layer) | assign",
                         "model_a.layer0.W -> model_a.layer0 (Dense layer) | forward",
                         "model_a.layer0.b -> model_a.layer0 (Dense layer) | forward",
                         "model_a.layer0 (Dense layer) -> square | assign",
                         "square -> mean | assign",
                     }));
}

TEST_CASE("to_dot: a frozen encoder, a cut edge, an accumulated adjoint", "[to_dot]") {
  // y feeds the loss three times: through operator* (gradient), through
  // stop_gradient (cut) and through mean (gradient): its adjoint is
  // assigned by one and accumulated by the other.
  tl::Frozen<enc_t> frozen;
  head_t head;
  const auto y = head(frozen(features));
  const auto loss = tl::sum(y * tl::stop_gradient(y)) + tl::mean(y);
  const dot_structure dot(tl::to_dot(loss, head));
  CHECK(dot.nodes == sorted({
                         "enc | enc.layer0.W (frozen) | skipped frozen",
                         "enc | enc.layer0.b (frozen) | skipped frozen",
                         "enc | enc.layer0 (Dense layer) (frozen) | skipped frozen",
                         "head | head.layer0.W | visited requested",
                         "head | head.layer0.b | visited requested",
                         "head | head.layer0 (Dense layer) | visited",
                         " | features | skipped",
                         " | stop_gradient | skipped",
                         " | operator* | visited",
                         " | sum | visited",
                         " | mean | visited",
                         " | operator+ | visited loss",
                     }));
  CHECK(dot.edges == sorted({
                         "features -> enc.layer0 (Dense layer) (frozen) | forward",
                         "enc.layer0.W (frozen) -> enc.layer0 (Dense layer) (frozen) | forward",
                         "enc.layer0.b (frozen) -> enc.layer0 (Dense layer) (frozen) | forward",
                         "enc.layer0 (Dense layer) (frozen) -> head.layer0 (Dense layer) | forward",
                         "head.layer0.W -> head.layer0 (Dense layer) | assign",
                         "head.layer0.b -> head.layer0 (Dense layer) | assign",
                         "head.layer0 (Dense layer) -> operator* | accumulate",
                         "head.layer0 (Dense layer) -> stop_gradient | cut",
                         "stop_gradient -> operator* | forward",
                         "head.layer0 (Dense layer) -> mean | assign",
                         "operator* -> sum | assign",
                         "sum -> operator+ | assign",
                         "mean -> operator+ | assign",
                     }));
}
