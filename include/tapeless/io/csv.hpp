#pragma once

// Numeric CSV files, plain or gzip'd, into Eigen matrices: data for
// examples and small experiments.
//
//   auto digits = tl::io::read_labelled_csv<float>("digits.csv.gz", {.classes = 10});
//   digits.features;    // 1797 x 64, column-major: feed it as it is
//   digits.labels;      // std::vector<int>, each in 0..9
//   digits.one_hot();   // 1797 x 10, for softmax_cross_entropy
//
//   Eigen::MatrixXd table = tl::io::read_csv<double>("measurements.csv", {.skip_header_lines = 1});
//
// The file is one row per line, fields separated by one character (',' by
// default), each a number (what std::from_chars reads, with an optional
// leading '+'; "nan" and "inf" included), spaces and tabs around it ignored.
// A number too large for the scalar type is an error; one too small for it
// becomes zero (with its sign), as a conversion would.
// No quoting. Line ends may be "\n" or "\r\n"; blank lines are skipped
// anywhere (so a trailing newline or blank lines at the end are fine); a
// UTF-8 byte-order mark is ignored. Compressed files are recognised by
// their content, not their name: gzip data, one member or several back to
// back (as `cat a.gz b.gz` makes), and nothing after the last member.
//
// Errors throw csv_error, naming the file and the 1-based line (and
// column, for a field). A field in a message is quoted, its control bytes
// escaped (\r, \x01) and, past 40 bytes, cut ("..." and its length). For
// damaged gzip data the line is the first one not yet read when zlib
// noticed: the damage is there or up to 128 KiB of text further on, and a
// wrong checksum, found at the end of the stream, says nothing about where
// the damage is. This header needs zlib (CMake target tapeless::io); the
// umbrella header tapeless.hpp does not include it.

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include <zlib.h>
#include <Eigen/Core>

namespace tapeless::io {

// What the readers throw: "tapeless: csv data/x.csv: line 3, column 2: "1,5"
// is not a number". line() is 0 when no line is to blame (a file that
// cannot be opened).
class csv_error : public std::runtime_error {
  std::filesystem::path file_;
  std::size_t line_;

 public:
  csv_error(std::filesystem::path file, std::size_t line, const std::string& what)
      : std::runtime_error(what), file_(std::move(file)), line_(line) {}
  const std::filesystem::path& file() const noexcept { return file_; }
  std::size_t line() const noexcept { return line_; }
};

// For csv_options::label_column: the last column of each row.
inline constexpr int last_column = -1;

// Without csv_options::classes, labels must be below this: a larger label
// is more likely a wrong column or a damaged file than a class, and would
// size one_hot() with as many columns. Give classes to go beyond.
inline constexpr int max_inferred_classes = 10000;

// Designated initializers name what differs from the defaults, in this
// order: {.label_column = 0, .classes = 3, .skip_header_lines = 1}.
struct csv_options {
  // read_labelled_csv: the 0-based column holding the class label, or
  // last_column. read_csv ignores it.
  int label_column = last_column;
  // read_labelled_csv: the number of classes; labels must be integers in
  // 0..classes-1. 0: labels in 0..max_inferred_classes-1, and classes
  // becomes the largest + 1. read_csv ignores it.
  int classes = 0;
  // Lines skipped at the start of the file, whatever they hold.
  std::size_t skip_header_lines = 0;
  char delimiter = ',';
};

// Features and class labels, one example per row.
template <class S>
struct labelled_data {
  using matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;

  matrix features;          // N x F, column-major
  std::vector<int> labels;  // N labels, each in 0..classes-1
  int classes = 0;

  Eigen::Index size() const { return features.rows(); }

  // N x classes: row i is 1 in column labels[i], 0 elsewhere.
  matrix one_hot() const {
    matrix m = matrix::Zero(features.rows(), classes);
    for (std::size_t i = 0; i < labels.size(); ++i) m(Eigen::Index(i), labels[i]) = S(1);
    return m;
  }
};

namespace detail {

template <class S>
concept csv_scalar = std::is_arithmetic_v<S> && !std::is_same_v<S, bool>;

// "tapeless: csv <file>: line L, column C: <what>", without the line or
// column where they are 0.
[[noreturn]] inline void csv_fail(const std::filesystem::path& file, std::size_t line,
                                  const std::string& what, std::size_t column = 0) {
  std::string message = "tapeless: csv " + file.string() + ": ";
  if (line != 0) message += "line " + std::to_string(line);
  if (column != 0) message += ", column " + std::to_string(column);
  if (line != 0) message += ": ";
  throw csv_error(file, line, message + what);
}

// The lines of a file, plain or gzip'd, read in large blocks. gzip data
// goes through zlib's inflate, not gzread: gzread ignores bytes after the
// last member, which here are an error.
class csv_lines {
  // The file and zlib's state are released by their own destructors, so
  // that a constructor that throws (reading a directory, say) leaks neither.
  struct file_closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  struct inflate_state {
    z_stream z{};
    bool ready = false;
    inflate_state() = default;
    inflate_state(const inflate_state&) = delete;
    inflate_state& operator=(const inflate_state&) = delete;
    ~inflate_state() {
      if (ready) inflateEnd(&z);
    }
  };

  // Bytes left uninitialised until read into: zeroing this class's 320 KiB
  // was most of the time of reading a small file.
  template <class T>
  struct block {
    std::unique_ptr<T[]> bytes;
    std::size_t count;
    explicit block(std::size_t n) : bytes(std::make_unique_for_overwrite<T[]>(n)), count(n) {}
    T* data() { return bytes.get(); }
    std::size_t size() const { return count; }
    T& operator[](std::size_t i) { return bytes[i]; }
    void double_size() {
      auto bigger = std::make_unique_for_overwrite<T[]>(2 * count);
      std::memcpy(bigger.get(), bytes.get(), count * sizeof(T));
      bytes = std::move(bigger);
      count *= 2;
    }
  };

  const std::filesystem::path& file_;
  std::unique_ptr<std::FILE, file_closer> in_;
  // The file's bytes, read ahead: the text itself, or gzip data.
  block<unsigned char> input_{std::size_t(1) << 16};
  std::size_t input_at_ = 0, input_end_ = 0;
  bool input_eof_ = false;
  bool gzip_ = false, member_ended_ = false;
  inflate_state inflate_;
  // The text, from the start of the line being read.
  block<char> buffer_{std::size_t(1) << 18};
  std::size_t begin_ = 0, end_ = 0, scanned_ = 0;
  bool eof_ = false;
  std::size_t line_ = 0;

  [[noreturn]] void read_error(const std::string& what) {
    csv_fail(file_, line_ + 1, "cannot read: " + what);
  }

  // Makes at least n bytes of input available, unless the file ends first.
  void want_input(std::size_t n) {
    if (input_end_ - input_at_ >= n || input_eof_) return;
    std::memmove(input_.data(), input_.data() + input_at_, input_end_ - input_at_);
    input_end_ -= input_at_;
    input_at_ = 0;
    while (input_end_ < n && !input_eof_) {
      errno = 0;
      const std::size_t got =
          std::fread(input_.data() + input_end_, 1, input_.size() - input_end_, in_.get());
      if (got == 0 && std::ferror(in_.get())) read_error(std::generic_category().message(errno));
      if (got == 0) input_eof_ = true;
      input_end_ += got;
    }
  }

  // Up to `room` bytes of text at `out`; 0 at the end of the file.
  std::size_t produce(char* out, std::size_t room) {
    if (!gzip_) {
      want_input(1);
      const std::size_t n = std::min(room, input_end_ - input_at_);
      std::memcpy(out, input_.data() + input_at_, n);
      input_at_ += n;
      return n;
    }
    for (;;) {
      want_input(1);
      if (member_ended_) {
        if (input_at_ == input_end_) return 0;  // the end of the last member
        want_input(2);
        if (input_end_ - input_at_ < 2 || input_[input_at_] != 0x1f ||
            input_[input_at_ + 1] != 0x8b)
          read_error("bytes after the end of the gzip data that are not another gzip member");
        inflateReset(&inflate_.z);
        member_ended_ = false;
      }
      inflate_.z.next_in = input_.data() + input_at_;
      inflate_.z.avail_in = static_cast<uInt>(input_end_ - input_at_);
      inflate_.z.next_out = reinterpret_cast<Bytef*>(out);
      inflate_.z.avail_out = static_cast<uInt>(room);
      const int code = inflate(&inflate_.z, Z_NO_FLUSH);
      input_at_ = input_end_ - inflate_.z.avail_in;
      const std::size_t n = room - inflate_.z.avail_out;
      if (code == Z_STREAM_END)
        member_ended_ = true;
      else if (code == Z_DATA_ERROR || code == Z_NEED_DICT)
        read_error(std::string("corrupted gzip data (") +
                   (inflate_.z.msg ? inflate_.z.msg : "invalid data") + ")");
      else if (code == Z_MEM_ERROR)
        read_error("zlib ran out of memory");
      else if (n == 0 && input_at_ == input_end_ && input_eof_)
        read_error("truncated gzip data (unexpected end of file)");
      if (n > 0) return n;
    }
  }

  void fill() {
    if (begin_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      scanned_ -= begin_;
      begin_ = 0;
    }
    if (end_ == buffer_.size()) buffer_.double_size();
    // At most 64 KiB a call: a decompression error loses the output of the
    // call that finds it, so the line reported stays near the damage.
    const std::size_t n =
        produce(buffer_.data() + end_, std::min<std::size_t>(buffer_.size() - end_, 1 << 16));
    if (n == 0) eof_ = true;
    end_ += n;
  }

 public:
  explicit csv_lines(const std::filesystem::path& file) : file_(file) {
    errno = 0;
#ifdef _WIN32
    in_.reset(::_wfopen(file.c_str(), L"rb"));
#else
    in_.reset(std::fopen(file.c_str(), "rb"));
#endif
    if (!in_) csv_fail(file, 0, "cannot open: " + std::generic_category().message(errno));
    // 16 + MAX_WBITS: gzip format only.
    inflate_.ready = inflateInit2(&inflate_.z, 16 + MAX_WBITS) == Z_OK;
    if (!inflate_.ready) csv_fail(file, 0, "cannot open: zlib could not allocate its state");
    want_input(2);
    gzip_ = input_end_ >= 2 && input_[0] == 0x1f && input_[1] == 0x8b;
  }
  csv_lines(const csv_lines&) = delete;
  csv_lines& operator=(const csv_lines&) = delete;

  // The next line, without its "\n" or "\r\n"; false at the end. The view
  // holds until the next call.
  bool next(std::string_view& line) {
    for (;;) {
      const char* base = buffer_.data();
      if (const void* nl = std::memchr(base + scanned_, '\n', end_ - scanned_)) {
        const auto at = std::size_t(static_cast<const char*>(nl) - base);
        line = std::string_view(base + begin_, at - begin_);
        begin_ = scanned_ = at + 1;
        break;
      }
      scanned_ = end_;
      if (eof_) {
        if (begin_ == end_) return false;
        line = std::string_view(base + begin_, end_ - begin_);
        begin_ = scanned_ = end_;
        break;
      }
      fill();
    }
    ++line_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line_ == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    return true;
  }

  // The 1-based number of the line last returned, or of the empty line
  // after the last one.
  std::size_t number() const { return line_; }
};

inline std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

template <class S>
const char* scalar_name() {
  if constexpr (std::is_same_v<S, float>)
    return "float";
  else if constexpr (std::is_same_v<S, double>)
    return "double";
  else if constexpr (std::is_same_v<S, long double>)
    return "long double";
  else
    return "the integer type";
}

enum class parsed { ok, not_a_number, out_of_range };

// The power of ten of the first significant digit of a number that
// from_chars read: 2 for "123.4", -3 for "0.00123", 42 for "1e42", -1 for
// "10000e-5". Without its sign, not zero, not "inf" or "nan". What tells a
// number too large for a type from one too small, whatever its exponent's
// sign says. Saturates far beyond any type's range.
inline long long decimal_exponent(std::string_view text) {
  constexpr long long limit = 1'000'000'000'000'000;
  const std::size_t e = text.find_first_of("eE");
  const std::string_view mantissa = text.substr(0, e);
  long long exponent = 0;
  if (e != std::string_view::npos) {
    std::string_view digits = text.substr(e + 1);
    const bool negative = !digits.empty() && digits[0] == '-';
    if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
    for (const char c : digits) exponent = std::min(limit, exponent * 10 + (c - '0'));
    if (negative) exponent = -exponent;
  }
  const std::size_t point = std::min(mantissa.find('.'), mantissa.size());
  const std::size_t first = mantissa.find_first_not_of("0.");
  const long long position =
      first < point ? (long long)(point - first) - 1 : -(long long)(first - point);
  return std::clamp(position, -limit, limit) + exponent;
}

template <class S>
parsed parse_number(std::string_view text, S& value) {
  if (text.size() > 1 && text[0] == '+' && text[1] != '-') text.remove_prefix(1);
  const char* first = text.data();
  const char* last = first + text.size();
  const auto [end, error] = std::from_chars(first, last, value);
  if (error == std::errc::invalid_argument || end != last) return parsed::not_a_number;
  if (error != std::errc::result_out_of_range) return parsed::ok;
  if constexpr (std::is_floating_point_v<S>) {
    // Too small for S: round to zero, as a conversion would. Too large is
    // an error.
    const bool negative = text[0] == '-';
    if (decimal_exponent(text.substr(negative ? 1 : 0)) < 0) {
      value = negative ? -S(0) : S(0);
      return parsed::ok;
    }
  }
  return parsed::out_of_range;
}

// A field as messages show it: quoted, with control bytes, backslashes and
// quotes escaped, and cut after 40 bytes (not inside a UTF-8 character),
// so that a damaged file's 10 MB field or binary bytes stay out of a log.
inline std::string quoted_field(std::string_view field) {
  constexpr std::size_t shown = 40;
  std::size_t cut = std::min(field.size(), shown);
  while (cut > 0 && cut < field.size() && (static_cast<unsigned char>(field[cut]) & 0xC0) == 0x80)
    --cut;
  // Appended, not "\"" + std::string(field): g++ 12 at -O2 warns about
  // that form with a false -Wrestrict (GCC bug 105329).
  std::string out(1, '"');
  for (const char c : field.substr(0, cut)) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\r') {
      out.append("\\r");
    } else if (c == '\t') {
      out.append("\\t");
    } else if (byte < 0x20 || byte == 0x7F) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", unsigned(byte));
      out.append(hex);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  if (cut < field.size())
    out.append("... (").append(std::to_string(field.size())).append(" bytes)");
  return out;
}

// The reader behind read_csv and read_labelled_csv: with a label column,
// that column goes to labels and the others to values.
template <class S>
void read_rows(const std::filesystem::path& file, const csv_options& options, bool labelled,
               std::vector<S>& values, std::vector<int>& labels, Eigen::Index& rows,
               Eigen::Index& cols, int& classes) {
  if (labelled && (options.label_column < last_column || options.classes < 0))
    throw std::invalid_argument(
        "tapeless: read_labelled_csv: csv_options.label_column must be last_column or at least "
        "0, and csv_options.classes at least 0 (0: as many as the labels say)");
  csv_lines lines(file);
  std::string_view line;
  for (std::size_t i = 0; i < options.skip_header_lines && lines.next(line); ++i) {
  }
  const char delimiter = options.delimiter;
  std::size_t columns = 0, first_row_line = 0, label_at = 0;
  int largest_label = -1;
  rows = 0;
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    const std::size_t found = 1 + std::size_t(std::count(line.begin(), line.end(), delimiter));
    if (columns == 0) {
      columns = found;
      first_row_line = lines.number();
      if (labelled) {
        if (columns < 2)
          csv_fail(file, lines.number(),
                   "a labelled row needs at least 2 columns, features and a label; found 1");
        label_at =
            options.label_column == last_column ? columns - 1 : std::size_t(options.label_column);
        if (label_at >= columns)
          csv_fail(file, lines.number(),
                   "csv_options.label_column is " + std::to_string(options.label_column) +
                       ", but the row has " + std::to_string(columns) + " columns");
      }
    } else if (found != columns) {
      csv_fail(file, lines.number(),
               "expected " + std::to_string(columns) + " columns (as line " +
                   std::to_string(first_row_line) + "), found " + std::to_string(found));
    }
    std::size_t column = 0;
    for (std::size_t from = 0;; ++column) {
      std::size_t to = line.find(delimiter, from);
      if (to == std::string_view::npos) to = line.size();
      const std::string_view field = trim(line.substr(from, to - from));
      const auto shown = [&] { return quoted_field(field); };
      if (labelled && column == label_at) {
        double label = 0;
        const parsed p = parse_number(field, label);
        if (p != parsed::ok || std::isnan(label))
          csv_fail(file, lines.number(), "label " + shown() + " is not a number", column + 1);
        if (label > INT_MAX || label < INT_MIN || label != std::trunc(label))
          csv_fail(file, lines.number(), "label " + shown() + " is not an integer", column + 1);
        const int l = int(label);
        const int limit = options.classes > 0 ? options.classes : max_inferred_classes;
        if (l < 0 || l >= limit)
          csv_fail(file, lines.number(),
                   "label " + std::to_string(l) + " is out of range: " +
                       (options.classes > 0
                            ? "classes is " + std::to_string(options.classes) +
                                  ", so labels are 0.." + std::to_string(options.classes - 1)
                            : "without csv_options.classes, labels are 0.." +
                                  std::to_string(max_inferred_classes - 1) +
                                  " (max_inferred_classes - 1); set classes for more"),
                   column + 1);
        labels.push_back(l);
        largest_label = std::max(largest_label, l);
      } else {
        S v{};
        switch (parse_number(field, v)) {
          case parsed::ok:
            break;
          case parsed::not_a_number:
            csv_fail(file, lines.number(),
                     (field.empty() ? std::string("empty field") : shown() + " is not a number"),
                     column + 1);
          case parsed::out_of_range:
            csv_fail(file, lines.number(), shown() + " is out of the range of " + scalar_name<S>(),
                     column + 1);
        }
        values.push_back(v);
      }
      if (to == line.size()) break;
      from = to + 1;
    }
    ++rows;
  }
  if (rows == 0)
    csv_fail(file, lines.number() + 1,
             lines.number() == 0 ? std::string("no data: the file is empty")
                                 : "no data: the file ends after " +
                                       std::to_string(lines.number()) + " header or blank lines");
  cols = Eigen::Index(columns) - (labelled ? 1 : 0);
  classes = options.classes > 0 ? options.classes : largest_label + 1;
}

}  // namespace detail

// A table of numbers: N rows x C columns, column-major.
template <detail::csv_scalar S>
Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> read_csv(const std::filesystem::path& file,
                                                          const csv_options& options = {}) {
  std::vector<S> values;
  std::vector<int> no_labels;
  Eigen::Index rows = 0, cols = 0;
  int classes = 0;
  detail::read_rows(file, options, false, values, no_labels, rows, cols, classes);
  using row_major = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  return Eigen::Map<const row_major>(values.data(), rows, cols);
}

// Features and integer class labels, the label in column
// options.label_column (by default the last).
template <detail::csv_scalar S>
labelled_data<S> read_labelled_csv(const std::filesystem::path& file,
                                   const csv_options& options = {}) {
  std::vector<S> values;
  labelled_data<S> out;
  Eigen::Index rows = 0, cols = 0;
  detail::read_rows(file, options, true, values, out.labels, rows, cols, out.classes);
  using row_major = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  out.features = Eigen::Map<const row_major>(values.data(), rows, cols);
  return out;
}

}  // namespace tapeless::io
