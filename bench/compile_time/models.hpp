// The models of the compile-time benchmarks (two_models.cpp,
// two_models_hvp.cpp, gan.cpp): TAPELESS_DEPTH / 2 Dense layers of width
// 16, tanh, float; run-time batch where the sources use them. A source
// defines TAPELESS_DEPTH (its default) before including this.
#pragma once

#include <cstddef>
#include <utility>

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

template <std::size_t>
using layer = tl::Dense<16, 16, tl::Tanh>;

template <class Tag, std::size_t... I>
auto make_model(std::index_sequence<I...>) -> tl::model<Tag, float, layer<I>...>;

template <class Tag>
using model_t = decltype(make_model<Tag>(std::make_index_sequence<TAPELESS_DEPTH / 2>{}));
