// CSV reading (io/csv.hpp): the real data sets in examples/data, the line
// and field forms a CSV file takes in the wild, gzip'd files, and every
// error, each naming the file and the line.

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <zlib.h>

#include <tapeless/io/csv.hpp>

#include "scratch_dir.hpp"
#include "support.hpp"

namespace io = tapeless::io;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using namespace tapeless_test;

namespace {

const fs::path data_dir = TAPELESS_EXAMPLE_DATA;

// A scratch directory that writes the test's files, plain or gzip'd.
struct csv_dir : scratch_dir {
  csv_dir() : scratch_dir("csv") {}
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return path / name;
  }
  fs::path write_gz(const std::string& name, const std::string& text) const {
    const fs::path p = path / name;
    gzFile out = gzopen(p.c_str(), "wb");
    REQUIRE(out != nullptr);
    REQUIRE(gzwrite(out, text.data(), unsigned(text.size())) == int(text.size()));
    REQUIRE(gzclose(out) == Z_OK);
    return p;
  }
};

std::vector<unsigned char> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& p, const std::vector<unsigned char>& bytes) {
  std::ofstream(p, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

// The error a read throws, for assertions on its accessors.
template <class F>
io::csv_error error_of(F&& read) {
  try {
    read();
  } catch (const io::csv_error& e) {
    return e;
  }
  FAIL("no csv_error thrown");
  throw;
}

}  // namespace

TEST_CASE("digits: 1797 labelled 8x8 images, gzip'd", "[csv]") {
  const auto digits = io::read_labelled_csv<float>(data_dir / "digits.csv.gz", {.classes = 10});
  REQUIRE(digits.features.rows() == 1797);
  REQUIRE(digits.features.cols() == 64);
  REQUIRE(digits.labels.size() == 1797);
  CHECK(digits.size() == 1797);
  CHECK(digits.classes == 10);

  // The first line of the file.
  const float first[64] = {0, 0, 5,  13, 9,  1,  0, 0, 0, 0, 13, 15, 10, 15, 5, 0,
                           0, 3, 15, 2,  0,  11, 8, 0, 0, 4, 12, 0,  0,  8,  8, 0,
                           0, 5, 8,  0,  0,  9,  8, 0, 0, 4, 11, 0,  1,  12, 7, 0,
                           0, 2, 14, 5,  10, 12, 0, 0, 0, 0, 6,  13, 10, 0,  0, 0};
  for (int j = 0; j < 64; ++j) CHECK(digits.features(0, j) == first[j]);
  CHECK(digits.labels[0] == 0);
  CHECK(digits.labels[1] == 1);
  CHECK(digits.labels[1796] == 8);
  CHECK(digits.features.minCoeff() == 0.0f);
  CHECK(digits.features.maxCoeff() == 16.0f);

  std::vector<int> counts(10);
  for (int l : digits.labels) ++counts.at(std::size_t(l));
  CHECK(counts == std::vector<int>{178, 182, 177, 183, 181, 182, 181, 179, 174, 180});

  const auto one_hot = digits.one_hot();
  CHECK(one_hot.rows() == 1797);
  CHECK(one_hot.cols() == 10);
  CHECK(one_hot.sum() == 1797.0f);
  CHECK(one_hot(1796, 8) == 1.0f);

  // The same file as a plain table: the labels are its last column.
  const auto table = io::read_csv<double>(data_dir / "digits.csv.gz");
  REQUIRE(table.rows() == 1797);
  REQUIRE(table.cols() == 65);
  CHECK(table.leftCols(64) == digits.features.cast<double>());
  for (Eigen::Index i = 0; i < 1797; ++i) CHECK(table(i, 64) == digits.labels[std::size_t(i)]);
}

TEST_CASE("iris: a header line, floats and 3 classes", "[csv]") {
  const fs::path file = data_dir / "iris.csv";
  const auto iris = io::read_labelled_csv<double>(file, {.classes = 3, .skip_header_lines = 1});
  REQUIRE(iris.features.rows() == 150);
  REQUIRE(iris.features.cols() == 4);
  CHECK(iris.features.row(0) == Eigen::RowVector4d(5.1, 3.5, 1.4, 0.2));
  CHECK(iris.features.row(149) == Eigen::RowVector4d(5.9, 3.0, 5.1, 1.8));
  CHECK(std::count(iris.labels.begin(), iris.labels.end(), 0) == 50);
  CHECK(std::count(iris.labels.begin(), iris.labels.end(), 1) == 50);
  CHECK(std::count(iris.labels.begin(), iris.labels.end(), 2) == 50);

  // Forgetting the header: line 1, column 3 is a class name.
  CHECK_THROWS_WITH(io::read_labelled_csv<double>(file, {.classes = 3}),
                    Contains("tapeless: csv " + file.string() +
                             ": line 1, column 3: \"setosa\" is not a number"));
}

TEST_CASE("the forms of a CSV line", "[csv]") {
  csv_dir dir;
  const Eigen::Matrix<double, 3, 2> expected{{1.5, -2}, {3, 4e-3}, {0, 6}};

  // CRLF, spaces and tabs around fields, '+', blank lines in the middle and
  // at the end, no final newline, a byte-order mark.
  for (const std::string text :
       {"1.5,-2\n3,4e-3\n0,6\n", "1.5,-2\r\n3,4e-3\r\n0,6\r\n", "1.5,-2\n3,4e-3\n0,6",
        "1.5,-2\n\n3,4e-3\n0,6\n\n\r\n  \n", " 1.5 ,\t-2\n+3, 4e-3 \n0 ,+6\n",
        "\xEF\xBB\xBF"
        "1.5,-2\n3,4e-3\n0,6\n"}) {
    INFO("text: " << text);
    CHECK(io::read_csv<double>(dir.write("forms.csv", text)) == expected);
    CHECK(io::read_csv<double>(dir.write_gz("forms.csv.gz", text)) == expected);
  }

  // Another delimiter, header lines, the label first, classes inferred.
  const fs::path semicolons = dir.write("semi.csv", "x;y;z\nskip me\n2;1.5;-2\n0;3;4e-3\n1;0;6\n");
  const auto data = io::read_labelled_csv<double>(
      semicolons, {.label_column = 0, .skip_header_lines = 2, .delimiter = ';'});
  CHECK(data.features == expected);
  CHECK(data.labels == std::vector<int>{2, 0, 1});
  CHECK(data.classes == 3);

  // Labels written as floats, features as integers; values too small for
  // the type round to zero.
  const auto floats = io::read_labelled_csv<float>(dir.write("f.csv", "1,2.0\n1e-50,-0e0\n"));
  CHECK(floats.labels == std::vector<int>{2, 0});
  CHECK(floats.features(1, 0) == 0.0f);
  CHECK(io::read_csv<std::int64_t>(dir.write("i.csv", "7,-8\n")) ==
        Eigen::Matrix<std::int64_t, 1, 2>(7, -8));
}

// The reader holds a line in a buffer of 256 KiB, doubled for a longer
// line: rows of 590 to 690 KB (the buffer doubled twice), plain and
// gzip'd, with values that tell each column apart.
TEST_CASE("lines longer than the read buffer", "[csv]") {
  csv_dir dir;
  constexpr int cols = 100'000;
  std::string text;
  for (int row = 0; row < 3; ++row)
    for (int c = 0; c < cols; ++c)
      text += std::to_string(row * cols + c) + (c + 1 < cols ? "," : "\n");
  REQUIRE(text.size() / 3 > 2 * (std::size_t(1) << 18));
  for (const fs::path& file : {dir.write("wide.csv", text), dir.write_gz("wide.csv.gz", text)}) {
    INFO(file);
    const auto table = io::read_csv<std::int64_t>(file);
    REQUIRE(table.rows() == 3);
    REQUIRE(table.cols() == cols);
    bool all = true;
    for (int row = 0; row < 3; ++row)
      for (int c = 0; c < cols; ++c) all = all && table(row, c) == std::int64_t(row) * cols + c;
    CHECK(all);
  }
}

TEST_CASE("errors name the file and the line", "[csv]") {
  csv_dir dir;
  using io::read_csv;
  using io::read_labelled_csv;
  const auto message = [](const fs::path& file, const std::string& line_and_what) {
    return Contains("tapeless: csv " + file.string() + ": " + line_and_what);
  };

  const fs::path not_number = dir.write("a.csv", "1,2\n3,x\n");
  CHECK_THROWS_AS(read_csv<float>(not_number), io::csv_error);
  CHECK_THROWS_AS(read_csv<float>(not_number), std::runtime_error);
  CHECK_THROWS_WITH(read_csv<float>(not_number),
                    message(not_number, "line 2, column 2: \"x\" is not a number"));
  const auto e = error_of([&] { read_csv<float>(not_number); });
  CHECK(e.line() == 2);
  CHECK(e.file() == not_number);

  const fs::path comma_decimal = dir.write("b.csv", "1;2\n\n3;4,5\n");
  CHECK_THROWS_WITH(read_csv<float>(comma_decimal, {.delimiter = ';'}),
                    message(comma_decimal, "line 3, column 2: \"4,5\" is not a number"));
  const fs::path empty_field = dir.write("c.csv", "1,,3\n");
  CHECK_THROWS_WITH(read_csv<float>(empty_field),
                    message(empty_field, "line 1, column 2: empty field"));
  const fs::path too_big = dir.write("d.csv", "1\n1e99\n");
  CHECK_THROWS_WITH(read_csv<float>(too_big),
                    message(too_big, "line 2, column 1: \"1e99\" is out of the range of float"));
  CHECK(read_csv<double>(too_big)(1, 0) == 1e99);

  const fs::path ragged = dir.write("e.csv", "h\n1,2,3\n4,5,6\r\n7,8\n");
  CHECK_THROWS_WITH(read_csv<float>(ragged, {.skip_header_lines = 1}),
                    message(ragged, "line 4: expected 3 columns (as line 2), found 2"));
  const fs::path long_row = dir.write("f.csv", "1,2\n3,4,5\n");
  CHECK_THROWS_WITH(read_csv<float>(long_row),
                    message(long_row, "line 2: expected 2 columns (as line 1), found 3"));

  const fs::path labels = dir.write("g.csv", "0.5,0\n0.5,1\n0.5,3\n");
  CHECK_THROWS_WITH(
      read_labelled_csv<float>(labels, {.classes = 3}),
      message(labels,
              "line 3, column 2: label 3 is out of range: classes is 3, so labels are 0..2"));
  CHECK(read_labelled_csv<float>(labels).classes == 4);
  const fs::path negative = dir.write("h.csv", "0.5,0\n0.5,-1\n");
  CHECK_THROWS_WITH(read_labelled_csv<float>(negative),
                    message(negative, "line 2, column 2: label -1 is out of range"));
  const fs::path fractional = dir.write("i.csv", "0.5,0\n0.5,1.5\n");
  CHECK_THROWS_WITH(read_labelled_csv<float>(fractional),
                    message(fractional, "line 2, column 2: label \"1.5\" is not an integer"));
  const fs::path word = dir.write("j.csv", "0.5,cat\n");
  CHECK_THROWS_WITH(read_labelled_csv<float>(word),
                    message(word, "line 1, column 2: label \"cat\" is not a number"));
  CHECK_THROWS_WITH(read_labelled_csv<float>(word, {.label_column = 5}),
                    message(word, "line 1: csv_options.label_column is 5, but the row has 2"));
  const fs::path one_column = dir.write("k.csv", "1\n2\n");
  CHECK_THROWS_WITH(read_labelled_csv<float>(one_column),
                    message(one_column, "line 1: a labelled row needs at least 2 columns"));
  CHECK_THROWS_AS(read_labelled_csv<float>(word, {.classes = -1}), std::invalid_argument);

  const fs::path empty = dir.write("l.csv", "");
  CHECK_THROWS_WITH(read_csv<float>(empty), message(empty, "line 1: no data: the file is empty"));
  const fs::path header_only = dir.write("m.csv", "150,4,setosa\n\r\n");
  CHECK_THROWS_WITH(read_csv<float>(header_only, {.skip_header_lines = 1}),
                    message(header_only, "line 3: no data: the file ends after 2 header or blank"));
  CHECK_THROWS_WITH(read_csv<float>(dir.write_gz("n.csv.gz", "")),
                    Contains("n.csv.gz: line 1: no data: the file is empty"));

  const fs::path missing = dir.path / "missing.csv";
  CHECK_THROWS_WITH(read_csv<float>(missing),
                    message(missing, "cannot open: No such file or directory"));
  CHECK(error_of([&] { read_csv<float>(missing); }).line() == 0);
  CHECK_THROWS_WITH(read_csv<float>(dir.path), message(dir.path, "line 1: cannot read: "));
}

TEST_CASE("damaged gzip files", "[csv]") {
  csv_dir dir;
  std::string text;
  for (int i = 0; i < 2000; ++i) text += std::to_string(i) + "," + std::to_string(i % 7) + "\n";
  const fs::path good = dir.write_gz("good.csv.gz", text);
  const auto rows = io::read_labelled_csv<double>(good);
  CHECK(rows.features.rows() == 2000);
  CHECK(rows.classes == 7);
  const auto bytes = read_bytes(good);

  // Cut short: zlib reports the missing end once the data runs out.
  const fs::path cut = dir.path / "cut.csv.gz";
  write_bytes(cut, {bytes.begin(), bytes.end() - 12});
  CHECK_THROWS_WITH(io::read_labelled_csv<double>(cut),
                    Contains("tapeless: csv " + cut.string() + ": line ") &&
                        Contains(": cannot read: truncated gzip data"));

  // The CRC-32 in the trailer changed: found at the end of the stream, by
  // the read that also decompressed the lines before (the data is small).
  auto crc = bytes;
  crc[crc.size() - 6] ^= 0xFF;
  const fs::path bad_crc = dir.path / "crc.csv.gz";
  write_bytes(bad_crc, crc);
  CHECK_THROWS_WITH(io::read_labelled_csv<double>(bad_crc),
                    Contains(bad_crc.string() + ": line 1: cannot read: corrupted gzip data") &&
                        Contains("incorrect data check"));

  // An invalid deflate block type at the first block: line 1.
  auto block = bytes;
  block[10] = 0xFF;
  const fs::path bad_block = dir.path / "block.csv.gz";
  write_bytes(bad_block, block);
  CHECK_THROWS_WITH(io::read_labelled_csv<double>(bad_block),
                    Contains(bad_block.string() + ": line 1: cannot read: corrupted gzip data"));
}

TEST_CASE("labels: a limit on the classes inferred, and classes for more", "[csv]") {
  csv_dir dir;
  const auto message = [](const fs::path& file, const std::string& label) {
    return "tapeless: csv " + file.string() + ": line 2, column 2: label " + label +
           " is out of range: without csv_options.classes, labels are 0..9999 (" +
           "max_inferred_classes - 1); set classes for more";
  };
  // The largest int would make the class count overflow; a million would
  // size one_hot() at a million columns.
  for (const std::string label : {"2147483647", "1000000", "10000"}) {
    const fs::path file = dir.write("big.csv", "0.5,1\n0.5," + label + "\n");
    CHECK_THROWS_WITH(io::read_labelled_csv<float>(file), message(file, label));
  }
  CHECK(io::max_inferred_classes == 10000);
  const fs::path most = dir.write("most.csv", "0.5,9999\n");
  CHECK(io::read_labelled_csv<float>(most).classes == 10000);
  // Explicit classes: as many as asked for.
  const fs::path million = dir.write("million.csv", "0.5,999999\n0.5,0\n");
  const auto data = io::read_labelled_csv<float>(million, {.classes = 1000000});
  CHECK(data.classes == 1000000);
  CHECK(data.labels == std::vector<int>{999999, 0});
  const fs::path largest = dir.write("largest.csv", "0.5,2147483647\n");
  CHECK_THROWS_WITH(
      io::read_labelled_csv<float>(largest, {.classes = INT_MAX}),
      Contains("label 2147483647 is out of range: classes is 2147483647, so labels are "
               "0..2147483646"));
}

TEST_CASE("numbers out of range are told by their value, not their exponent's sign", "[csv]") {
  csv_dir dir;
  // The message, up to the field, and after it.
  const auto refused = [&](const fs::path& file, auto read, const std::string& type) {
    std::string what;
    try {
      read(file);
    } catch (const io::csv_error& e) {
      what = e.what();
    }
    INFO(what);
    CHECK(what.rfind("tapeless: csv " + file.string() + ": line 1, column 2: \"", 0) == 0);
    const std::string end = " is out of the range of " + type;
    CHECK(what.substr(what.size() - std::min(what.size(), end.size())) == end);
  };
  const auto read_float = [](const fs::path& f) { io::read_csv<float>(f); };
  const auto read_double = [](const fs::path& f) { io::read_csv<double>(f); };
  // 1e45 written with a negative exponent: too large for float.
  const fs::path large = dir.write("large.csv", "1,1" + std::string(50, '0') + "e-5\n");
  refused(large, read_float, "float");
  CHECK(io::read_csv<double>(large)(0, 1) == 1e45);
  // 1e395 with a negative exponent, and 1e400 with none: too large for double.
  const fs::path larger = dir.write("larger.csv", "1,1" + std::string(400, '0') + "e-5\n");
  refused(larger, read_double, "double");
  const fs::path no_exponent = dir.write("no_exponent.csv", "1,-1" + std::string(400, '0') + "\n");
  refused(no_exponent, read_double, "double");
  // 1e-56 written with a positive exponent, and 1e-401 with none: too small,
  // so zero with the sign.
  const fs::path tiny = dir.write("tiny.csv", "1,-0." + std::string(60, '0') + "1e5\n");
  const auto t = io::read_csv<float>(tiny);
  CHECK(t(0, 1) == 0.0f);
  CHECK(std::signbit(t(0, 1)));
  const fs::path tinier = dir.write("tinier.csv", "1,0." + std::string(400, '0') + "1\n");
  CHECK(io::read_csv<double>(tinier)(0, 1) == 0.0);
  CHECK_FALSE(std::signbit(io::read_csv<double>(tinier)(0, 1)));
  // Exponents too large for any integer type.
  const fs::path huge_exponent = dir.write("e.csv", "1,1e99999999999999999999999\n");
  refused(huge_exponent, read_double, "double");
  const fs::path tiny_exponent = dir.write("f.csv", "1,1e-99999999999999999999999\n");
  CHECK(io::read_csv<double>(tiny_exponent)(0, 1) == 0.0);
  // Subnormal values are values.
  CHECK(io::read_csv<float>(dir.write("g.csv", "1,1e-40\n"))(0, 1) == 1e-40f);
}

TEST_CASE("errors show a field cut short and escaped", "[csv]") {
  csv_dir dir;
  // A 10 MB field: its first 40 characters, and its length.
  const std::string big(10'000'000, 'x');
  const fs::path long_field = dir.write("long.csv", "1," + big + "\n");
  std::string what;
  try {
    io::read_csv<float>(long_field);
  } catch (const io::csv_error& e) {
    what = e.what();
  }
  CHECK(what == "tapeless: csv " + long_field.string() + ": line 1, column 2: \"" +
                    std::string(40, 'x') + "\"... (10000000 bytes) is not a number");
  // Control bytes, a carriage return, a backslash and a quote: escaped.
  const fs::path control = dir.write("control.csv", std::string("1,a\rb\x01\x7f\\\"c\td\n", 14));
  CHECK_THROWS_WITH(io::read_csv<float>(control),
                    "tapeless: csv " + control.string() +
                        ": line 1, column 2: \"a\\rb\\x01\\x7F\\\\\\\"c\\td\" is not a number");
  // A label too, and a cut that does not split a UTF-8 character.
  const fs::path label = dir.write("label.csv", "1," + std::string(39, 'y') + "\xC3\xA9z\n");
  CHECK_THROWS_WITH(io::read_labelled_csv<float>(label),
                    "tapeless: csv " + label.string() + ": line 1, column 2: label \"" +
                        std::string(39, 'y') + "\"... (42 bytes) is not a number");
}

TEST_CASE("gzip: trailing bytes are refused, concatenated members read", "[csv]") {
  csv_dir dir;
  const fs::path good = dir.write_gz("good.csv.gz", "1,2\n3,4\n");
  const auto bytes = read_bytes(good);
  for (const std::string& tail :
       {std::string("garbage\n"), std::string(8, '\0'), std::string("\x1f")}) {
    INFO("tail of " << tail.size() << " bytes");
    auto damaged = bytes;
    damaged.insert(damaged.end(), tail.begin(), tail.end());
    const fs::path file = dir.path / "trailing.csv.gz";
    write_bytes(file, damaged);
    CHECK_THROWS_AS(io::read_csv<float>(file), io::csv_error);
    CHECK_THROWS_WITH(io::read_csv<float>(file),
                      "tapeless: csv " + file.string() +
                          ": line 3: cannot read: bytes after the end of the gzip data that "
                          "are not another gzip member");
  }
  // Two members, as `cat a.gz b.gz` makes: one file, read whole.
  const auto second = read_bytes(dir.write_gz("second.csv.gz", "5,6\n"));
  auto both = bytes;
  both.insert(both.end(), second.begin(), second.end());
  const fs::path joined = dir.path / "joined.csv.gz";
  write_bytes(joined, both);
  CHECK(io::read_csv<float>(joined) == Eigen::Matrix<float, 3, 2>{{1, 2}, {3, 4}, {5, 6}});
}
