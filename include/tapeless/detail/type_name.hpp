#pragma once

#include <string_view>

namespace tapeless::detail {

// The unqualified name of a type, read from the compiler's pretty function
// signature, so that a model declared with `struct encoder` is named
// "encoder" without repeating the name in a string.
template <class T>
constexpr std::string_view pretty_signature() {
  return __PRETTY_FUNCTION__;
}

template <class T>
constexpr std::string_view type_name() {
  std::string_view s = pretty_signature<T>();
  // g++: "... [with T = ns::name; ...]"; clang++: "... [T = ns::name]".
  const auto eq = s.find("T = ");
  s.remove_prefix(eq + 4);
  s = s.substr(0, s.find_first_of(";]"));
  // Drop scopes (namespaces, enclosing functions such as "main()::").
  if (const auto scope = s.rfind("::"); scope != std::string_view::npos) s.remove_prefix(scope + 2);
  return s;
}

}  // namespace tapeless::detail
