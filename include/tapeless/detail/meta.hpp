#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

// Type lists, the compile-time tools the graph analysis, requests, checks,
// optimizers and checkpoints share: concatenation and filtering (how a
// check's culprits are collected), O(1) indexing, search.
namespace tapeless::meta {

namespace hana = boost::hana;

// A plain pack of types. Lists are built by concatenation and indexed
// through overload resolution, both cheap for the compiler; Hana's
// sequences, built and indexed as values, made the graph analysis of a
// 32-layer network take tens of seconds (measured with clang's -ftime-trace).
template <class... T>
struct list {};

// Lists are combined by class templates, never by function or operator
// calls: an unqualified call looks for candidates in the namespaces of every
// type nested in its arguments' template arguments (argument-dependent
// lookup), and clang++ 14 walks that whole tree on every call, without
// remembering the subtrees it has seen. A gradient expression's type is a
// DAG whose tree is exponentially larger (tl::hvp's of a two-layer network
// print as megabytes), so a fold of `operator+` over its nodes took minutes
// with clang++ where g++ took a second.

// Concatenation: cat_t<keep_if<test<T>, T>...> keeps the types of a pack
// that pass a test, in order. Four lists per step, so a pack of n lists
// nests n/4 instantiations deep.
template <class... L>
struct cat;
template <>
struct cat<> {
  using type = list<>;
};
template <class... A>
struct cat<list<A...>> {
  using type = list<A...>;
};
template <class... A, class... B>
struct cat<list<A...>, list<B...>> {
  using type = list<A..., B...>;
};
template <class... A, class... B, class... C>
struct cat<list<A...>, list<B...>, list<C...>> {
  using type = list<A..., B..., C...>;
};
template <class... A, class... B, class... C, class... D, class... Rest>
struct cat<list<A...>, list<B...>, list<C...>, list<D...>, Rest...>
    : cat<list<A..., B..., C..., D...>, Rest...> {};
template <class... L>
using cat_t = typename cat<L...>::type;

template <bool Keep, class T>
using keep_if = std::conditional_t<Keep, list<T>, list<>>;

// The union of lists without repeats, in order: A's types, then B's not in
// A. Membership is a base-class lookup in a type with one base per member,
// so a union costs one instantiation per type of B, where comparing every
// pair would cost |A| |B|.
template <class T>
struct member {};
template <class... T>
struct member_set : member<T>... {};

template <class A, class B>
struct unite;
template <class... A, class... B>
struct unite<list<A...>, list<B...>> {
  using type = cat_t<list<A...>, keep_if<!std::is_base_of_v<member<B>, member_set<A...>>, B>...>;
};
// The union of several lists, left to right.
template <class... L>
struct unite_all;
template <class L>
struct unite_all<L> {
  using type = L;
};
template <class A, class B, class... Rest>
struct unite_all<A, B, Rest...> : unite_all<typename unite<A, B>::type, Rest...> {};
template <class... L>
using unite_t = typename unite_all<L...>::type;

// F<T...> for list<T...>: how a filtered list becomes a check's culprits.
template <template <class...> class F, class List>
struct apply;
template <template <class...> class F, class... T>
struct apply<F, list<T...>> {
  using type = F<T...>;
};

template <class Types>
struct to_list_of;
template <class... T>
struct to_list_of<hana::tuple<T...>> {
  using type = list<typename T::type...>;
};
template <class Types>
using to_list = typename to_list_of<Types>::type;

// The I-th type of a list in O(1) instantiations: a class that derives from
// indexed<I, T> for every element, and a deduction that picks one base.
template <std::size_t I, class T>
struct indexed {
  using type = T;
};
template <class Seq, class List>
struct indexer;
template <std::size_t... I, class... T>
struct indexer<std::index_sequence<I...>, list<T...>> : indexed<I, T>... {};
template <std::size_t I, class T>
indexed<I, T> pick(const indexed<I, T>*);

template <class List>
struct size_of;
template <class... T>
struct size_of<list<T...>> {
  static constexpr std::size_t value = sizeof...(T);
};

template <class List, std::size_t I>
using at_t = typename decltype(meta::pick<I>(
    static_cast<const indexer<std::make_index_sequence<size_of<List>::value>, List>*>(
        nullptr)))::type;

inline constexpr std::size_t npos = static_cast<std::size_t>(-1);

// Type identity without instantiating a template per pair (std::is_same_v
// would: the analysis compares every appearance with every other).
#if defined(__has_builtin) && __has_builtin(__is_same)
#define TAPELESS_IS_SAME(A, B) __is_same(A, B)
#else
#define TAPELESS_IS_SAME(A, B) std::is_same_v<A, B>
#endif

// Position of the first K in Ks..., or npos.
template <class K, class... Ks>
constexpr std::size_t index_of() {
  constexpr bool hit[] = {false, TAPELESS_IS_SAME(K, Ks)...};
  for (std::size_t i = 0; i < sizeof...(Ks); ++i)
    if (hit[i + 1]) return i;
  return npos;
}

}  // namespace tapeless::meta
