#pragma once

// The fuzz targets read files (the loaders take paths): each input is
// written to one file per process, removed at exit.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include <unistd.h>

namespace tapeless_fuzz {

class scratch_file {
  std::filesystem::path path_;

 public:
  explicit scratch_file(const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              ("tapeless-fuzz-" + std::to_string(::getpid()) + "-" + name)) {}
  ~scratch_file() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  scratch_file(const scratch_file&) = delete;
  scratch_file& operator=(const scratch_file&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Replaces the file's contents; aborts if it cannot (not a finding).
  const std::filesystem::path& write(const std::uint8_t* data, std::size_t size) const {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (!f || std::fwrite(data, 1, size, f) != size || std::fclose(f) != 0) {
      std::perror(path_.c_str());
      std::abort();
    }
    return path_;
  }
};

}  // namespace tapeless_fuzz
