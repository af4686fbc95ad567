# Warnings for the project's own targets (tests, examples, benchmarks), never
# for the library target: users choose their own flags. Warnings are errors,
# so a warning from a tapeless header fails the build. -Wshadow too: users
# who compile with it see the warnings of the headers they include.
add_library(tapeless_warnings INTERFACE)
target_compile_options(tapeless_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Werror)
