// Fuzz target: the CSV readers on any bytes, plain or gzip'd, with a few
// sets of options. Each read either throws csv_error or returns data whose
// shape and labels agree with each other. Anything else (another exception,
// a crash, a sanitizer report, a hang) is a finding. tests/fuzz/README.md
// runs it.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <tapeless/io/csv.hpp>

#include "write_file.hpp"

namespace io = tapeless::io;

namespace {

template <class S>
void read_labelled(const std::filesystem::path& file, const io::csv_options& options) {
  try {
    const auto data = io::read_labelled_csv<S>(file, options);
    const auto rows = static_cast<std::size_t>(data.features.rows());
    if (rows == 0 || data.labels.size() != rows || data.classes < 1) std::abort();
    for (const int label : data.labels)
      if (label < 0 || label >= data.classes) std::abort();
    if (options.classes > 0 && data.classes != options.classes) std::abort();
    if (rows * std::size_t(data.classes) <= 1'000'000 && data.one_hot().sum() != S(rows))
      std::abort();
  } catch (const io::csv_error&) {
  }
}

template <class S>
void read_table(const std::filesystem::path& file, const io::csv_options& options) {
  try {
    const auto table = io::read_csv<S>(file, options);
    if (table.rows() == 0 || table.cols() == 0) std::abort();
  } catch (const io::csv_error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const tapeless_fuzz::scratch_file input("input.csv");
  const auto& file = input.write(data, size);
  read_table<double>(file, {});
  read_table<float>(file, {.skip_header_lines = 1});
  read_table<std::int64_t>(file, {.delimiter = ';'});
  read_labelled<float>(file, {.skip_header_lines = 1});
  read_labelled<double>(file, {.label_column = 0, .classes = 3, .delimiter = '\t'});
  return 0;
}
