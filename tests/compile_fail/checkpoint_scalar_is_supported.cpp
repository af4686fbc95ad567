// check::checkpoint_scalar_is_supported: a user's object whose
// for_each_tensor hands out an int matrix (a step counter kept as int).

#include <tapeless/io/checkpoint.hpp>
#include <tapeless/model.hpp>

namespace tl = tapeless;

struct schedule_state {
#ifdef TAPELESS_EXPECT_FAIL
  Eigen::Matrix<int, 1, 1> epoch{Eigen::Matrix<int, 1, 1>::Zero()};
#else
  Eigen::Matrix<std::int64_t, 1, 1> epoch{Eigen::Matrix<std::int64_t, 1, 1>::Zero()};
#endif
  template <class F>
  void for_each_tensor(F&& f) {
    f("schedule.epoch", epoch);
  }
  template <class F>
  void for_each_tensor(F&& f) const {
    f("schedule.epoch", epoch);
  }
};

int main() {
  tl::model<struct net, float, tl::Dense<2, 3>> net;
  schedule_state state;
  tl::save("never_written.tlck", net, state);
}
