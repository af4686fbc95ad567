# Warnings for the project's own targets (tests, examples, benchmarks), never
# for the library target: users choose their own flags. Warnings are errors,
# so a warning from a tapeless header fails the build.
add_library(tapeless_warnings INTERFACE)
target_compile_options(tapeless_warnings INTERFACE -Wall -Wextra -Wpedantic -Werror)
