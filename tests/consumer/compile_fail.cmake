# What a consumer writes to test that a mistake on its own graph does not
# compile, with tapeless's message, and that its twin does: the tests
# user.unused_model and user.unused_model.twin, compiled as the target
# `consumer` is (its include directory and definition are needed).
# Included by both consumer projects after they define `consumer`.
target_include_directories(consumer PRIVATE ${CMAKE_CURRENT_LIST_DIR}/include)
target_compile_definitions(consumer PRIVATE CONSUMER_SCALAR=double)
enable_testing()
tapeless_add_compile_fail_test(user.unused_model
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/unused_model.cpp
  TARGET consumer
  MACRO CONSUMER_EXPECT_FAIL
  MESSAGE "tapeless: gradient request: the loss does not depend on the parameters listed in this check"
  MATCHES "critic_tag, 0, tapeless::weight"
  ERRORS 1)

# What the test adds: tests that must fail, each for the reason
# run_consumer.cmake expects (label must_fail, left out of the passing run).
set(source ${CMAKE_CURRENT_LIST_DIR}/not_a_mistake.cpp)
tapeless_add_compile_fail_test(must_fail.message SOURCE ${source} TARGET consumer
  MACRO CONSUMER_EXPECT_FAIL MESSAGE "consumer: another message" NO_TWIN)
tapeless_add_compile_fail_test(must_fail.matches SOURCE ${source} TARGET consumer
  MACRO CONSUMER_EXPECT_FAIL MESSAGE "consumer: the only message" MATCHES "a second message"
  NO_TWIN)
tapeless_add_compile_fail_test(must_fail.errors SOURCE ${source} TARGET consumer
  MACRO CONSUMER_EXPECT_FAIL MESSAGE "consumer: the only message" ERRORS 2 NO_TWIN)
tapeless_add_compile_fail_test(must_fail.compiles SOURCE ${source} TARGET consumer
  MACRO CONSUMER_NOT_A_MISTAKE MESSAGE "consumer: the only message" NO_TWIN)
# Its twin compiled as a target without the definition of CONSUMER_SCALAR.
add_library(consumer_without_scalar INTERFACE)
target_link_libraries(consumer_without_scalar INTERFACE tapeless::tapeless)
tapeless_add_compile_fail_test(must_fail.twin_error SOURCE ${source}
  TARGET consumer_without_scalar MACRO CONSUMER_EXPECT_FAIL MESSAGE "consumer: the only message")
set_tests_properties(must_fail.message must_fail.matches must_fail.errors must_fail.compiles
  must_fail.twin_error must_fail.twin_error.twin PROPERTIES LABELS must_fail)
