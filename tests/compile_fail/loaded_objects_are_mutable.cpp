// check::loaded_objects_are_mutable: loading into a model reached through a
// const reference.

#include <tapeless/io/checkpoint.hpp>
#include <tapeless/model.hpp>

namespace tl = tapeless;

using net_t = tl::model<struct net, float, tl::Dense<2, 3>>;

#ifdef TAPELESS_EXPECT_FAIL
void restore(const net_t& net) {
#else
void restore(net_t& net) {
#endif
  tl::load("missing.tlck", net);
}

int main() {
  net_t net;
  try {
    restore(net);
  } catch (const tl::checkpoint_error&) {
  }
}
