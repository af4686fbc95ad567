#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <tapeless/checks.hpp>
#include <tapeless/graph/dag.hpp>
#include <tapeless/graph/reachability.hpp>
#include <tapeless/graph/request.hpp>
#include <tapeless/kernels/sink.hpp>
#include <tapeless/node/feed.hpp>
#include <tapeless/node/identity.hpp>
#include <tapeless/node/input.hpp>
#include <tapeless/node/parameter.hpp>
#include <tapeless/node/poisoned.hpp>
#include <tapeless/schedule/numeric_error.hpp>
#include <tapeless/schedule/workspace.hpp>

namespace tapeless {

namespace schedule {

template <class Op>
constexpr bool forwards_value() {
  if constexpr (requires { Op::forwards_value; })
    return Op::forwards_value;
  else
    return false;
}

// Columns of per-row scratch an op keeps from its forward to its backward
// pass (softmax cross-entropy's log-sum-exp of each row), 0 for none.
template <class Op>
constexpr int scratch_cols() {
  if constexpr (requires { Op::scratch_cols; })
    return Op::scratch_cols;
  else
    return 0;
}

// What a user names when reading a gradient: a parameter (or a reference to
// one) or a variable.
template <class T>
struct leaf_of {
  using type = T;
};
template <class Id, class S, int R, int C>
struct leaf_of<parameter<Id, S, R, C>> {
  using type = parameter_ref<Id, S, R, C>;
};

// How a program treats what it cannot do. strict: everything requested is
// connected (tl::gradient has checked), feeds and reads are checked. lenient:
// requested leaves the root does not depend on get zero gradients. inert: a
// static check has failed already; the program compiles, checks nothing more
// (so the user sees one error) and never runs.
enum class mode { strict, lenient, inert };

// The reverse sweeps of a program, run after its one forward sweep: one per
// request, each with the plan of its own root (graph/reachability.hpp).
template <class Expr, class Facts>
struct sweeps_over;
template <class Expr, class... Facts>
struct sweeps_over<Expr, meta::list<Facts...>> {
  using dag = graph::dag<Expr>;
  static constexpr std::size_t count = sizeof...(Facts);
  template <std::size_t I>
  using facts = meta::at_t<meta::list<Facts...>, I>;

  // How many sweeps visit each node.
  static constexpr std::array<std::size_t, dag::size> visits = [] {
    std::array<std::size_t, dag::size> v{};
    for (std::size_t k = 0; k < dag::size; ++k) v[k] = (std::size_t{Facts::plan.needed[k]} + ...);
    return v;
  }();
  // A leaf that several sweeps visit is requested by several of them, and
  // its adjoint is a result of each: one per sweep. Every other adjoint is
  // the program's, one per node, shared by the sweeps: a sweep assigns each
  // adjoint it visits before reading it (the plan's first contribution), as
  // a run does after another run, and only the leaves' outlive it.
  template <std::size_t K>
  static constexpr bool own =
      count > 1 && visits[K] > 1 && !is_expr_v<typename dag::template node<K>::node>;
  template <std::size_t K>
  static constexpr bool shared = visits[K] > 0 && !own<K>;
};

template <class Expr, std::size_t Root, class Request>
struct rooted_facts;
template <class Expr, std::size_t Root, class... L>
struct rooted_facts<Expr, Root, request<L...>> {
  using type = graph::rooted_analysis<Expr, Root, L...>;
};
template <class Expr, class Seq, class... R>
struct per_loss;
template <class Expr, std::size_t... I, class... R>
struct per_loss<Expr, std::index_sequence<I...>, R...> {
  using dag = graph::dag<Expr>;
  using type =
      meta::list<typename rooted_facts<Expr, dag::infos[dag::size - 1].child[I], R>::type...>;
};

// One request (tl::gradient, tl::evaluate): one sweep from the root.
// Several (tl::gradients): sweep I from the I-th operand of the root, which
// gathers the losses.
template <class Expr, class Request>
struct sweeps;
template <class Expr, class... L>
struct sweeps<Expr, request<L...>> : sweeps_over<Expr, meta::list<graph::analysis<Expr, L...>>> {
  template <std::size_t>
  using request_of = request<L...>;
};
template <class Expr, class... R>
struct sweeps<Expr, requests<R...>>
    : sweeps_over<Expr, typename per_loss<Expr, std::index_sequence_for<R...>, R...>::type> {
  template <std::size_t I>
  using request_of = meta::at_t<meta::list<R...>, I>;
};

// What a read returns after a failed check, so that the user's code around
// it still compiles: a zero matrix of the leaf's shape if it has one.
template <class S, class L>
const auto& placeholder() {
  if constexpr (requires { L::rows + L::cols; }) {
    static const kernels::matrix<S, L::rows, L::cols> none;
    return none;
  } else {
    static const kernels::matrix<S, 1, 1> none;
    return none;
  }
}

// A compiled evaluation of `Expr`: one forward sweep over its distinct nodes
// in topological order, then, for a gradient request, one reverse sweep over
// the nodes between the requested leaves and the root (for several requests,
// tl::gradients, one per request, from its own loss). The sweeps are
// unrolled at compile time (a fold over node indices), so running a program
// interprets nothing; its storage is sized once and reused at every run.
// A Checked program (tl::checked) also verifies, after each node, that what
// it computed is finite, and throws numeric_error naming the first node that
// is not; an unchecked one instantiates none of that code.
template <class Expr, class Request, mode Mode = mode::strict, bool Checked = false>
class program;

// What a checked program (tl::checked) runs after each node, for program
// P. Apart from program and its friend, so that the class of an unchecked
// program declares none of it (not even member templates it never uses).
struct numeric_checks {
  // The checked twin of a program: the same expression and requests,
  // storage of its own.
  template <class Expr, class Request, mode Mode>
  static auto checked(const program<Expr, Request, Mode>& p) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return program<Expr, Request, Mode, true>(p.expr_, p.template part<I>().requested_...);
    }
    (std::make_index_sequence<program<Expr, Request, Mode>::parts>{});
  }

  // A node as messages name it ("log", "parameter enc.layer0.W",
  // "input x"), and its operands' names.
  template <class P, std::size_t K>
  static std::string name_of() {
    using Node = typename P::template node<K>;
    if constexpr (is_expr_v<Node>)
      return std::string(Node::op_type::name);
    else if constexpr (is_parameter_ref_v<Node>)
      return "parameter " + Node::name();
    else
      return input_name<Node>();
  }
  template <class P, std::size_t K>
  static auto names_of() {
    return [] {
      return [&]<std::size_t... J>(std::index_sequence<J...>) {
        return std::pair(name_of<P, K>(),
                         std::vector<std::string>{name_of<P, P::template operand<K, J>>()...});
      }
      (std::make_index_sequence<P::template arity<K>>{});
    };
  }

  // The value node K computed, or read (fed data, a parameter), is finite.
  // A node that forwards its operand's value has been checked as that.
  template <std::size_t K, class P>
  static void value(const P& p) {
    using Node = typename P::template node<K>;
    if constexpr (P::template owns_value<Node> || is_input_v<Node> || is_parameter_ref_v<Node>)
      if (const auto& v = p.template value_of<K>(); !detail::all_finite(v))
        detail::throw_numeric_error(numeric_error::sweep::forward, names_of<P, K>(), -1, v);
  }

  // The gradients node K's pullback sent to its operands in sweep I are
  // finite. Each operand's adjoint was finite before this pullback added to
  // it (checked after the pullback that wrote it first), so a non-finite one
  // is this node's doing.
  template <std::size_t I, std::size_t K, class P>
  static void pullbacks(const P& p) {
    if constexpr (is_expr_v<typename P::template node<K>> && P::template plan<I>().needed[K] &&
                  !P::dag::infos[K].blocks) {
      [&]<std::size_t... J>(std::index_sequence<J...>) {
        (
            [&] {
              if constexpr (P::template plan<I>().mode[K][J] != graph::contribution::none)
                if (const auto& a = P::template adjoint<I, P::template operand<K, J>>(p);
                    !detail::all_finite(a))
                  detail::throw_numeric_error(numeric_error::sweep::backward, names_of<P, K>(),
                                              static_cast<int>(J), a);
            }(),
            ...);
      }
      (std::make_index_sequence<P::template arity<K>>{});
    }
  }
};

// How many losses a program computes gradients of: 1 for a program of one
// request and for a part of a program of several.
template <class P>
inline constexpr std::size_t losses_in = 1;
template <class P>
requires requires { P::parts; }
inline constexpr std::size_t losses_in<P> = P::parts;

// What one request of a program gives to read: its loss, its gradients, and
// what optimizers ask of them (request_type, computes_gradient_of,
// has_gradient_for). A program of one request is one; a program of several
// (tl::gradients) has one per loss, part<I>(), each usable where a program
// of one is. A base of the program (it reads the program's storage), with
// the results that are the request's own.
template <class Program, class Sweeps, std::size_t I, mode Mode,
          class Request = typename Sweeps::template request_of<I>>
class request_part;
template <class Program, class Sweeps, std::size_t I, mode Mode, class... L>
class request_part<Program, Sweeps, I, Mode, request<L...>> {
  friend Program;
  friend struct numeric_checks;

  using facts = typename Sweeps::template facts<I>;
  using root_node = typename Sweeps::dag::template node<facts::root>::node;
  using S = typename root_node::scalar;

  template <class Leaf>
  static constexpr bool requested =
      (std::is_same_v<graph::key_t<Leaf, graph::path<>>, graph::key_t<L, graph::path<>>> || ...);

  // Position of a leaf's identity in the request.
  template <class Leaf>
  static constexpr std::size_t request_index =
      meta::index_of<graph::key_t<Leaf, graph::path<>>, graph::key_t<L, graph::path<>>...>();

  // The requested leaf with Leaf's identity, and it as a clash if its type
  // is another (two model types with one tag): one lookup per read, as an
  // optimizer reads every parameter.
  template <class Leaf>
  using requested_leaf = meta::at_t<meta::list<L...>, request_index<Leaf>>;
  template <class Leaf>
  using clash_with_request = meta::keep_if<!TAPELESS_IS_SAME(Leaf, requested_leaf<Leaf>),
                                           check::clash<requested_leaf<Leaf>, Leaf>>;

  // What the request keeps for a requested leaf: a zero matrix if its loss
  // does not depend on it (lenient), the leaf's adjoint if another request
  // of the program visits it too (sweeps_over::own), else nothing.
  template <class Leaf>
  static auto result_type() {
    if constexpr (!graph::connects_v<facts, Leaf>)
      return std::type_identity<kernels::matrix<S, Leaf::rows, Leaf::cols>>{};
    else if constexpr (Sweeps::template own<facts::template index<Leaf>>)
      return std::type_identity<slot_matrix<S, Leaf::rows, Leaf::cols>>{};
    else
      return std::type_identity<nothing>{};
  }
  template <class Leaf>
  using result_of = typename decltype(result_type<Leaf>())::type;

  // The object of each requested parameter (null for variables): reading a
  // gradient checks that it is this object, not another of its type.
  std::array<const void*, sizeof...(L)> requested_{};
  [[no_unique_address]] storage<result_of<L>...> results_;

 public:
  using scalar = S;
  // What the gradient was requested for (optimizers read it), and whether
  // this program stands in after a failed check and runs nothing.
  using request_type = request<L...>;
  static constexpr bool inert = Mode == mode::inert;

  // `objects` holds the address of each requested parameter's object
  // (tl::gradient collects them), which must be the loss's own.
  explicit request_part(const std::array<const void*, sizeof...(L)>& objects = {})
      : requested_(objects) {
    [&]<std::size_t... J>(std::index_sequence<J...>) { (prepare<J, L>(), ...); }
    (std::index_sequence_for<L...>{});
  }

  // Whether this program computes the gradient of a leaf: false for all that
  // was not requested and for requested leaves the root does not depend on.
  template <class Leaf>
  static constexpr bool computes_gradient_of() {
    using Ref = typename leaf_of<Leaf>::type;
    return requested<Ref> && facts::template connects<Ref>;
  }
  template <class Leaf>
  static constexpr bool computes_gradient_of(const Leaf&) {
    return computes_gradient_of<Leaf>();
  }

  // Whether this object (a parameter, or a reference to one) is the one the
  // gradient was requested for: false for another object of its model type,
  // which has the same type and so the same answer above. True for a
  // requested variable, whose identity is its type.
  template <class Leaf>
  bool has_gradient_for(const Leaf& object) const {
    using Ref = typename leaf_of<Leaf>::type;
    if constexpr (!requested<Ref>)
      return false;
    else if constexpr (!is_parameter_ref_v<Ref>)
      return true;
    else
      return requested_[request_index<Ref>] == address_of(object);
  }

  // The root's value: a matrix of its shape (of an evaluate program: the
  // predictions); loss(), the number, for a 1x1 root (a loss or a metric,
  // of a gradient program or an evaluate program alike). A reference to the
  // program's storage where the root has some; a root that reads its data
  // in place (an input) gives a view, by value.
  decltype(auto) value() const {
    if constexpr (Mode == mode::inert)
      return (placeholder<S, root_node>());
    else
      return program().template value_of<facts::root>();
  }
  S loss() const {
    if constexpr (Mode == mode::inert)
      return S{};
    else if constexpr (!check::read_value_is_scalar<
                           shape<root_node::rows, root_node::cols>>::check())
      return S{};
    else
      return program().template value_of<facts::root>()(0, 0);
  }

  // The gradient of the root with respect to a requested parameter or
  // variable, as an Eigen matrix of the leaf's shape.
  // Throws identity_error for another object of a requested parameter's
  // model type.
  template <class Leaf>
  const auto& operator[](const Leaf& object) const {
    using Ref = typename leaf_of<Leaf>::type;
    using id = graph::key_t<Ref, graph::path<>>;
    if constexpr (Mode == mode::inert) {
      return placeholder<S, Ref>();
    } else if constexpr (!check::gradient_was_requested<id, requested<Ref>>::check()) {
      return placeholder<S, Ref>();
    } else if constexpr (!meta::apply<check::one_model_type_per_tag,
                                      clash_with_request<Ref>>::type::check()) {
      return placeholder<S, Ref>();
    } else {
      if constexpr (is_parameter_ref_v<Ref>)
        if (!has_gradient_for(object))
          detail::throw_identity_error("reading a gradient", &Ref::name,
                                       "is read from another object than the one the "
                                       "gradient was requested for, of the same model type");
      if constexpr (facts::template connects<Ref>)
        return Program::template adjoint<I, facts::template index<Ref>>(program());
      else
        return schedule::element<request_index<Ref>>(results_);
    }
  }

 private:
  const Program& program() const { return static_cast<const Program&>(*this); }

  template <class Leaf>
  static const void* address_of(const Leaf& object) {
    if constexpr (is_parameter_ref_v<Leaf>)
      return object.target;
    else
      return &object;
  }

  // Zeros for the leaves the loss does not depend on; a leaf's own adjoint
  // of a fixed shape, sized once.
  template <std::size_t J, class Leaf>
  void prepare() {
    auto& r = schedule::element<J>(results_);
    if constexpr (!graph::connects_v<facts, Leaf>)
      r.setZero(Leaf::rows == dynamic ? 0 : Leaf::rows, Leaf::cols);
    else if constexpr (!std::is_same_v<result_of<Leaf>, nothing> && Leaf::rows != dynamic)
      set_rows(r, Leaf::rows);
  }

  // Every requested parameter the loss reads must be read from the object
  // the request named; `targets` is what each node reads.
  template <std::size_t N>
  void check_requested_objects(const std::array<const void*, N>& targets) const {
    (
        [&] {
          if constexpr (is_parameter_ref_v<L> && graph::uses_v<facts, L>) {
            if (requested_[request_index<L>] != targets[facts::template index<L>])
              detail::throw_identity_error(
                  "gradient request", &L::name,
                  "is requested from another object than the one the loss was built from, of "
                  "the same model type");
          }
        }(),
        ...);
  }
};

template <class Program, class Sweeps, mode Mode, class Seq>
struct request_parts;
template <class Program, class Sweeps, mode Mode, std::size_t... I>
struct request_parts<Program, Sweeps, Mode, std::index_sequence<I...>>
    : request_part<Program, Sweeps, I, Mode>... {
  request_parts() = default;
  template <class... Objects>
  explicit request_parts(const Objects&... objects)
      : request_part<Program, Sweeps, I, Mode>(objects)... {}
};

template <class Expr, class Request, mode Mode, bool Checked>
class program : public request_parts<program<Expr, Request, Mode, Checked>, sweeps<Expr, Request>,
                                     Mode, std::make_index_sequence<sweeps<Expr, Request>::count>> {
  friend struct numeric_checks;
  template <class, class, std::size_t, mode, class>
  friend class request_part;

  using plans = sweeps<Expr, Request>;
  using dag = typename plans::dag;
  template <std::size_t I>
  using facts = typename plans::template facts<I>;
  template <std::size_t I>
  static constexpr const auto& plan() {
    return facts<I>::plan;
  }
  template <std::size_t I>
  using part_type = request_part<program, plans, I, Mode>;
  static constexpr std::size_t N = dag::size;
  using S = typename Expr::scalar;

  template <std::size_t K>
  using occurrence = typename dag::template node<K>;
  template <std::size_t K>
  using node = typename occurrence<K>::node;
  template <std::size_t K>
  static constexpr std::size_t arity = dag::infos[K].arity;
  template <std::size_t K, std::size_t J>
  static constexpr std::size_t operand = dag::infos[K].child[J];

  template <class Node>
  static constexpr bool owns_value = [] {
    if constexpr (is_expr_v<Node>)
      return !forwards_value<typename Node::op_type>();
    else
      return false;
  }();

  template <std::size_t K>
  using slot_of = slot<S, node<K>::rows, node<K>::cols, owns_value<node<K>>,
                       plans::template shared<K>, is_input_v<node<K>>>;

  // An op's scratch: as many rows as its first operand, scratch_cols() columns.
  template <std::size_t K>
  static auto scratch_type() {
    if constexpr (is_expr_v<node<K>>) {
      constexpr int cols = scratch_cols<typename node<K>::op_type>();
      if constexpr (cols > 0)
        return std::type_identity<slot_matrix<S, node<operand<K, 0>>::rows, cols>>{};
      else
        return std::type_identity<nothing>{};
    } else {
      return std::type_identity<nothing>{};
    }
  }
  template <std::size_t K>
  using scratch_of = typename decltype(scratch_type<K>())::type;
  template <std::size_t K>
  static constexpr bool has_scratch = !std::is_same_v<scratch_of<K>, nothing>;

  template <class Seq>
  struct slots;
  template <std::size_t... K>
  struct slots<std::index_sequence<K...>> {
    using type = storage<slot_of<K>...>;
    using scratch = storage<scratch_of<K>...>;
    // The inputs the expression reads.
    using inputs = meta::cat_t<meta::keep_if<is_input_v<node<K>>, node<K>>...>;
    // Each distinct parameter node's token (null for other nodes).
    static constexpr std::array<const void*, N> tokens{detail::token_of<node<K>>...};
  };
  using layout = slots<std::make_index_sequence<N>>;

  Expr expr_;
  typename layout::type ws_;
  [[no_unique_address]] typename layout::scratch scratch_;
  // The storage each distinct parameter node reads (null for other nodes),
  // found when the program is built: every appearance of a parameter must
  // read the same storage (detail::find_reads), or two objects of one model
  // type would be one node and their gradients silently merged.
  std::array<const void*, N> targets_{};

 public:
  using expression_type = Expr;
  using scalar = S;
  // Whether this program stands in after a failed check and runs nothing.
  static constexpr bool inert = Mode == mode::inert;
  // How many requests it serves, each read through part<I>().
  static constexpr std::size_t parts = plans::count;

  // `objects`, one array per request, holds the address of each requested
  // parameter's object (tl::gradient collects them), which must be the
  // loss's own.
  template <class... Objects>
  explicit program(const Expr& e, const Objects&... objects)
      : program::request_parts(objects...), expr_(e) {
    if constexpr (Mode != mode::inert) {
      detail::find_reads(expr_, {layout::tokens.data(), targets_.data(), N, true});
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        (part<I>().check_requested_objects(targets_), ...);
      }
      (std::make_index_sequence<parts>{});
    }
    [&]<std::size_t... K>(std::index_sequence<K...>) { (presize<K>(), ...); }
    (std::make_index_sequence<N>{});
  }

  // Binds the feeds, runs the forward sweep and, for a gradient program, the
  // reverse sweeps; then the values and the gradients can be read.
  template <class... Leaves>
  const program& operator()(const feed_t<Leaves>&... feeds) {
    if constexpr (Mode != mode::inert) {
      using unfed = typename unfed_of<typename layout::inputs, Leaves...>::type;
      using unused = meta::cat_t<meta::keep_if<
          !graph::uses_v<facts<0>, Leaves> || times<Leaves, Leaves...> != 1, Leaves>...>;
      if constexpr (check::all(meta::apply<check::every_input_is_fed, unfed>::type::check(),
                               meta::apply<check::every_feed_is_used, unused>::type::check())) {
        (bind(feeds), ...);
        sweep(std::make_index_sequence<N>{});
      }
    }
    return *this;
  }

  // Request I's results (tl::gradients: the I-th loss's), to read as a
  // program of one request; also as `auto& [a, b] = step(feeds...)`.
  template <std::size_t I>
  const part_type<I>& part() const {
    return *this;
  }
  template <std::size_t I>
  const part_type<I>& get() const {
    return part<I>();
  }

  // Storage for batches of up to `rows` rows, allocated now: later runs with
  // a batch that size or smaller allocate nothing. Without it, a program's
  // storage grows to the largest batch it has run with and is then reused
  // (a smaller last batch, or a larger evaluation set, allocates only the
  // first time). Values read from earlier runs are lost.
  void reserve(Eigen::Index rows) {
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (schedule::element<K>(ws_).reserve(rows), ...);
      (
          [&] {
            if constexpr (requires { schedule::element<K>(scratch_).capacity(); })
              schedule::element<K>(scratch_).reserve(rows);
          }(),
          ...);
      (each_own_adjoint<K>([&](auto& a) {
         if constexpr (requires { a.capacity(); }) a.reserve(rows);
       }),
       ...);
    }
    (std::make_index_sequence<N>{});
  }

 private:
  // The adjoint of node K in sweep I: the request's own for a leaf several
  // sweeps visit (sweeps_over::own), else the program's.
  template <std::size_t I, std::size_t K, class Self>
  static auto& adjoint(Self& self) {
    if constexpr (plans::template own<K>) {
      using part_ref =
          std::conditional_t<std::is_const_v<Self>, const part_type<I>&, part_type<I>&>;
      return schedule::element<part_type<I>::template request_index<node<K>>>(
          static_cast<part_ref>(self).results_);
    } else {
      return schedule::element<K>(self.ws_).adjoint;
    }
  }

  // Calls f on every own adjoint of node K, one per sweep that visits it.
  template <std::size_t K, class F>
  void each_own_adjoint(F f) {
    if constexpr (plans::template own<K>) {
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
              if constexpr (plan<I>().needed[K]) f(adjoint<I, K>(*this));
            }(),
            ...);
      }
      (std::make_index_sequence<parts>{});
    }
  }

  template <class T, class... Ts>
  static constexpr std::size_t times = (std::size_t{std::is_same_v<T, Ts>} + ... + 0);

  template <class Inputs, class... Fed>
  struct unfed_of;
  template <class... In, class... Fed>
  struct unfed_of<meta::list<In...>, Fed...> {
    using type = meta::cat_t<meta::keep_if<times<In, Fed...> == 0, In>...>;
  };

  // The op of distinct node K: default-constructed when empty, else read
  // from the expression, where the node's path leads.
  template <std::size_t K>
  decltype(auto) op() const {
    using where = typename occurrence<K>::where;
    if constexpr (std::is_void_v<where>)
      return typename node<K>::op_type{};
    else
      return (graph::at(expr_, where{}).op);
  }

  template <std::size_t K>
  Eigen::Index rows() const {
    if constexpr (node<K>::rows != dynamic)
      return node<K>::rows;
    else
      return schedule::element<K>(ws_).rows;
  }

  // The value of distinct node K, read in place wherever possible.
  template <std::size_t K>
  decltype(auto) value_of() const {
    using Node = node<K>;
    // Parenthesised, here and below: decltype(auto) of a plain member access
    // is the member's declared type, a copy of the matrix at every read.
    if constexpr (is_parameter_ref_v<Node>)
      return (
          static_cast<const parameter<typename Node::id, S, Node::rows, Node::cols>*>(targets_[K])
              ->value);
    else if constexpr (is_input_v<Node>)
      return Eigen::Map<const Eigen::Matrix<S, Node::rows, Node::cols>>(
          schedule::element<K>(ws_).data, rows<K>(), Node::cols);
    else if constexpr (is_poisoned_v<Node>)
      return kernels::matrix<S, Node::rows, Node::cols>::Zero(rows<K>(), Node::cols);
    else if constexpr (!owns_value<Node>)
      return value_of<operand<K, 0>>();
    else
      return (schedule::element<K>(ws_).value);
  }

  template <std::size_t K>
  void forward() {
    if constexpr (is_expr_v<node<K>>) {
      using Op = typename node<K>::op_type;
      [&]<std::size_t... J>(std::index_sequence<J...>) {
        if constexpr (((node<operand<K, J>>::rows == dynamic) || ...)) {
          const auto r = Op::shape_rule::runtime_rows(Op::name, rows<operand<K, J>>()...);
          if constexpr (node<K>::rows == dynamic) schedule::element<K>(ws_).resize(r);
        }
        if constexpr (has_scratch<K>) {
          set_rows(schedule::element<K>(scratch_), rows<operand<K, 0>>());
          op<K>().forward(schedule::element<K>(ws_).value, schedule::element<K>(scratch_),
                          value_of<operand<K, J>>()...);
        } else if constexpr (owns_value<node<K>>) {
          op<K>().forward(schedule::element<K>(ws_).value, value_of<operand<K, J>>()...);
        }
      }
      (std::make_index_sequence<arity<K>>{});
    }
  }

  template <std::size_t I, std::size_t K, std::size_t J>
  auto sink() {
    constexpr graph::contribution mode = plan<I>().mode[K][J];
    if constexpr (mode == graph::contribution::none) {
      return kernels::no_sink{};
    } else {
      auto& a = adjoint<I, operand<K, J>>(*this);
      return kernels::sink<decltype(a), mode != graph::contribution::assign>{a};
    }
  }

  template <std::size_t I, std::size_t K>
  void backward() {
    if constexpr (is_expr_v<node<K>> && plan<I>().needed[K] && !dag::infos[K].blocks) {
      [&]<std::size_t... J>(std::index_sequence<J...>) {
        (
            [&] {
              if constexpr (plan<I>().mode[K][J] == graph::contribution::zero_then_accumulate)
                adjoint<I, operand<K, J>>(*this).setZero();
            }(),
            ...);
        if constexpr (has_scratch<K>)
          op<K>().backward(adjoint<I, K>(*this), value_of<K>(), schedule::element<K>(scratch_),
                           value_of<operand<K, J>>()..., sink<I, K, J>()...);
        else
          op<K>().backward(adjoint<I, K>(*this), value_of<K>(), value_of<operand<K, J>>()...,
                           sink<I, K, J>()...);
      }
      (std::make_index_sequence<arity<K>>{});
    }
  }

  // Unchecked, the sweeps are exactly the forward and backward calls: the
  // checks are not instantiated at all, so they cost neither run time nor
  // compile time.
  template <std::size_t... K>
  void sweep(std::index_sequence<K...>) {
    if constexpr (Checked)
      ((forward<K>(), numeric_checks::value<K>(*this)), ...);
    else
      (forward<K>(), ...);
    [&]<std::size_t... I>(std::index_sequence<I...>) { (reverse<I, K...>(), ...); }
    (std::make_index_sequence<parts>{});
  }

  // Reverse sweep I: its root's adjoint seeded with 1, then the nodes its
  // plan visits, in reverse topological order.
  template <std::size_t I, std::size_t... K>
  void reverse() {
    constexpr std::size_t root = facts<I>::root;
    if constexpr (plan<I>().needed[root]) {
      adjoint<I, root>(*this).setOnes();
      if constexpr (Checked)
        ((backward<I, N - 1 - K>(), numeric_checks::pullbacks<I, N - 1 - K>(*this)), ...);
      else
        (backward<I, N - 1 - K>(), ...);
    }
  }

  template <class Leaf>
  void bind(const feed_t<Leaf>& f) {
    constexpr std::size_t k = facts<0>::template index<Leaf>;
    auto& s = schedule::element<k>(ws_);
    s.data = f.data;
    s.resize(f.rows);  // a requested variable's adjoint follows its batch
    each_own_adjoint<k>([&](auto& a) { set_rows(a, f.rows); });
  }

  template <std::size_t K>
  void presize() {
    if constexpr (node<K>::rows != dynamic) schedule::element<K>(ws_).resize(node<K>::rows);
  }
};

}  // namespace schedule
}  // namespace tapeless

// A program of several requests (tl::gradients) is read by structured
// binding, one request_part per loss: auto& [d, g] = step(feeds...).
template <class Expr, class... R, tapeless::schedule::mode Mode, bool Checked>
struct std::tuple_size<tapeless::schedule::program<Expr, tapeless::requests<R...>, Mode, Checked>>
    : std::integral_constant<std::size_t, sizeof...(R)> {};
template <std::size_t I, class Expr, class... R, tapeless::schedule::mode Mode, bool Checked>
struct std::tuple_element<
    I, tapeless::schedule::program<Expr, tapeless::requests<R...>, Mode, Checked>> {
  using type = std::remove_cvref_t<decltype(std::declval<const tapeless::schedule::program<
                                                Expr, tapeless::requests<R...>, Mode, Checked>&>()
                                                .template part<I>())>;
};
