#pragma once

// A directory of its own for one test case, under the system's temporary
// directory, removed with everything in it when the test case ends (also
// when an assertion fails). For the tests that write files.

#include <filesystem>
#include <random>
#include <string>
#include <system_error>
#include <vector>

namespace tapeless_test {

struct scratch_dir {
  std::filesystem::path path;

  // `prefix` names the test file, so that leftovers say where they come from.
  explicit scratch_dir(const std::string& prefix) {
    std::random_device random;
    path = std::filesystem::temp_directory_path() /
           ("tapeless-" + prefix + "-" + std::to_string(random()));
    std::filesystem::create_directories(path);
  }
  ~scratch_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;

  std::vector<std::filesystem::path> files() const {
    return {std::filesystem::directory_iterator(path), std::filesystem::directory_iterator()};
  }
};

}  // namespace tapeless_test
