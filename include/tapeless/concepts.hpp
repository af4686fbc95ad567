#pragma once

// The extension points of tapeless, each a concept whose unmet requirement
// is reported by a `tapeless:` message (checks.hpp); docs/extending.md adds
// one of each, step by step.
//   Operation<Op, Operands...>   an expression node's operation   node/op.hpp
//   Activation<A>                an elementwise activation        node/op.hpp
// and, optional, what tl::grad needs to differentiate a gradient again:
//   graph::has_vjp<Op, J, ...>   the op's pullback as an expression  graph/adjoints.hpp
//   ops::SlopedActivation<A>     f' as an expression, slope(y)      ops/activate.hpp
//   LayerDeclaration<D>          what a model's type lists        layers/layer.hpp
//   Layer<L> (LayerSizes, LayerParameters, LayerApplication)
//                                the layer object a model stores  layers/layer.hpp

#include <tapeless/graph/adjoints.hpp>
#include <tapeless/layers/layer.hpp>
#include <tapeless/node/op.hpp>
#include <tapeless/ops/activate.hpp>
