// The compile-fail tests that must FAIL (compile_fail.cmake,
// run_consumer.cmake checks that they do and what they say), cheap to
// compile: no tapeless, one static_assert as the mistake.

#ifndef CONSUMER_SCALAR
#error "compiled without the definitions of the consumer's target"
#endif

#ifdef CONSUMER_EXPECT_FAIL
static_assert(sizeof(CONSUMER_SCALAR) == 0, "consumer: the only message");
#endif

int main() {}
