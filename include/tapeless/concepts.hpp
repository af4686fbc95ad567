#pragma once

// The extension points of tapeless, each a concept whose unmet requirement
// is reported by a `tapeless:` message (checks.hpp); docs/extending.md adds
// one of each, step by step.
//   Operation<Op, Operands...>   an expression node's operation   node/op.hpp
//   Activation<A>                an elementwise activation        node/op.hpp
//   LayerDeclaration<D>          what a model's type lists        layers/layer.hpp
//   Layer<L> (LayerSizes, LayerParameters, LayerApplication)
//                                the layer object a model stores  layers/layer.hpp

#include <tapeless/layers/layer.hpp>
#include <tapeless/node/op.hpp>
