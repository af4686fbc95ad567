// A consumer's compile-fail test (tapeless_add_compile_fail_test in
// compile_fail.cmake): a gradient requested for a model the loss does not
// use is rejected; the twin requests the models it uses.

#include <consumer/models.hpp>

namespace tl = tapeless;

int main() {
  consumer::encoder enc;
  consumer::head head;
  consumer::critic critic;
  tl::input<struct x_tag, consumer::scalar, 2> x;
  tl::input<struct t_tag, consumer::scalar, 1> t;
  auto loss = tl::mse(head(enc(x)), t);
#ifdef CONSUMER_EXPECT_FAIL
  auto step = tl::gradient(loss, enc, critic);
#else
  auto step = tl::gradient(loss, enc, head);
#endif
  // The request is the test: running the program would only add compile time.
  return sizeof(step) > 0 ? 0 : 1;
}
