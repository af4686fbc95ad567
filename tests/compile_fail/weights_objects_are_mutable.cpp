// check::loaded_objects_are_mutable, from the loaders of other tools' files
// (io/safetensors.hpp, io/npy.hpp): a model reached through a const
// reference, directly (TAPELESS_EXPECT_FAIL), through PyTorch's names
// (TAPELESS_EXPECT_FAIL_TORCH), and a const matrix (TAPELESS_EXPECT_FAIL_NPY).

#include <tapeless/io/npy.hpp>
#include <tapeless/io/safetensors.hpp>
#include <tapeless/io/torch.hpp>
#include <tapeless/model.hpp>

namespace tl = tapeless;

using net_t = tl::model<struct net, float, tl::Dense<2, 3>>;

#if defined(TAPELESS_EXPECT_FAIL) || defined(TAPELESS_EXPECT_FAIL_TORCH) || \
    defined(TAPELESS_EXPECT_FAIL_NPY)
void restore(const net_t& net) {
#else
void restore(net_t& net) {
#endif
#if defined(TAPELESS_EXPECT_FAIL_TORCH)
  tl::io::load_npz("missing.npz", tl::io::torch_sequential(net));
#elif defined(TAPELESS_EXPECT_FAIL_NPY)
  tl::io::load_npy("missing.npy", net.layer<0>().weight.value);
#else
tl::io::load_safetensors("missing.safetensors", net);
#endif
}

int main() {
  net_t net;
  try {
    restore(net);
  } catch (const tl::checkpoint_error&) {
  }
}
