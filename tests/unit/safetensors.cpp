// safetensors files (io/safetensors.hpp) and the strict JSON of their
// header (io/detail/json.hpp): the bytes against the format's specification,
// bit-exact round trips, files made by hand as another writer would make
// them, and every way a load is refused (each message names the file and the
// tensor, and the objects stay as they were).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <tapeless/activations/relu.hpp>
#include <tapeless/io/detail/json.hpp>
#include <tapeless/io/safetensors.hpp>
#include <tapeless/model.hpp>

#include "scratch_dir.hpp"
#include "weights_io_support.hpp"

namespace tl = tapeless;
namespace fs = std::filesystem;
using namespace tapeless_test;

namespace {

using small_a = tl::model<struct a, float, tl::Dense<3, 4, tl::ReLU>, tl::Dense<4, 2>>;
using small_b = tl::model<struct b, double, tl::Dense<2, 3>>;

struct dir : scratch_dir {
  dir() : scratch_dir("safetensors") {}
};

// A safetensors file from a header text and data bytes, as the
// specification lays it out: u64 header length, header, data.
std::vector<unsigned char> file_of(const std::string& header,
                                   const std::vector<unsigned char>& data) {
  std::vector<unsigned char> out;
  append_le<std::uint64_t>(out, header.size());
  append(out, header);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

// One float tensor 1x2 named t: the smallest valid file, and variations.
struct one_tensor {
  Eigen::Matrix<float, 1, 2> t = Eigen::Matrix<float, 1, 2>(7.f, 8.f);
  template <class F>
  void for_each_tensor(F&& f) {
    f(std::string("t"), t);
  }
  template <class F>
  void for_each_tensor(F&& f) const {
    f(std::string("t"), t);
  }
};

// One float tensor of a given name.
struct named {
  std::string name;
  Eigen::Matrix<float, 1, 1> x = Eigen::Matrix<float, 1, 1>::Zero();
  template <class F>
  void for_each_tensor(F&& f) {
    f(name, x);
  }
  template <class F>
  void for_each_tensor(F&& f) const {
    f(name, x);
  }
};

std::vector<unsigned char> floats(std::initializer_list<float> vs) {
  std::vector<unsigned char> out;
  for (float v : vs) append_f32(out, v);
  return out;
}

// The message of loading `header` + `data` into one_tensor; checks that the
// tensor is unchanged.
std::string refusal(const std::string& header, const std::vector<unsigned char>& data,
                    std::string* path_text = nullptr) {
  dir d;
  const fs::path p = d.path / "bad.safetensors";
  write_bytes(p, file_of(header, data));
  one_tensor o;
  const std::string m = error_of([&] { tl::io::load_safetensors(p, o); });
  CHECK(o.t == Eigen::Matrix<float, 1, 2>(7.f, 8.f));
  const std::string prefix = "tapeless: safetensors " + p.string() + ": ";
  CHECK(m.compare(0, prefix.size(), prefix) == 0);
  if (path_text) *path_text = p.string();
  return m.substr(m.compare(0, prefix.size(), prefix) == 0 ? prefix.size() : 0);
}

}  // namespace

TEST_CASE("json: strict RFC 8259 values, kept as written") {
  using tl::io::detail::json_value;
  const json_value v = tl::io::detail::parse_json(
      " {\"a\": [1, -2.5e3, true, false, null], \"s\": \"q\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"
      "\\ud83d\\ude00\xc3\xa9\", \"big\": 18446744073709551615, \"over\": 18446744073709551616}\n");
  REQUIRE(v.type == json_value::kind::object);
  CHECK(v.keys == std::vector<std::string>{"a", "s", "big", "over"});
  const json_value& a = *v.find("a");
  REQUIRE(a.items.size() == 5);
  CHECK(a.items[0].as_uint64() == 1u);
  CHECK(a.items[1].text == "-2.5e3");
  CHECK(!a.items[1].as_uint64());
  CHECK(a.items[2].boolean);
  CHECK(a.items[3].type == json_value::kind::boolean);
  CHECK(a.items[4].type == json_value::kind::null);
  CHECK(v.find("s")->text == "q\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80\xc3\xa9");
  CHECK(v.find("big")->as_uint64() == 18446744073709551615ull);
  CHECK(!v.find("over")->as_uint64());
  CHECK(v.find("missing") == nullptr);
}

TEST_CASE("json: every departure from the grammar is refused, with its offset") {
  const auto error = [](const std::string& text) {
    try {
      tl::io::detail::parse_json(text);
    } catch (const tl::io::detail::json_error& e) {
      return std::to_string(e.offset) + ": " + e.what();
    }
    return std::string("accepted");
  };
  CHECK(error("[1,]") == "3: unexpected character");
  CHECK(error("{\"a\":1,}") == "7: expected a string key");
  CHECK(error("[01]") == "3: leading zero in a number");
  CHECK(error("[1.]") == "3: invalid number");
  CHECK(error("[-]") == "2: invalid number");
  CHECK(error("[1e]") == "3: invalid number");
  CHECK(error("\"a\nb\"") == "2: control character in a string");
  CHECK(error("\"\xff\"") == "1: invalid UTF-8 in a string");
  CHECK(error("\"\xc0\xaf\"") == "1: invalid UTF-8 in a string");      // overlong '/'
  CHECK(error("\"\xed\xa0\x80\"") == "1: invalid UTF-8 in a string");  // a surrogate
  CHECK(error("\"\\ud800\"") == "7: unpaired surrogate in a \\u escape");
  CHECK(error("\"\\udc00\"") == "7: unpaired surrogate in a \\u escape");
  CHECK(error("\"\\x\"") == "2: invalid escape in a string");
  CHECK(error("\"\\u12g4\"") == "6: invalid \\u escape");
  CHECK(error("{\"a\":1,\"a\":2}") == "7: duplicate key \"a\"");
  CHECK(error("{\"a\" 1}") == "5: expected ':'");
  CHECK(error("[1 2]") == "3: expected ',' or ']'");
  CHECK(error("{} x") == "3: unexpected text after the value");
  CHECK(error("") == "0: unexpected end of the text");
  CHECK(error("tru") == "0: invalid literal");
  CHECK(error("// c\n{}") == "0: unexpected character");
  CHECK(error(std::string(64, '[') + std::string(64, ']')) == "accepted");
  CHECK(error(std::string(65, '[') + std::string(65, ']')) == "64: nested too deeply");
}

TEST_CASE("json: strings are quoted so that the reader gives them back") {
  const std::string s = std::string("a\"b\\c\x01\n\x1f") + "\xc3\xa9";
  const std::string q = tl::io::detail::json_quote(s);
  CHECK(q == "\"a\\\"b\\\\c\\u0001\\u000a\\u001f\xc3\xa9\"");
  CHECK(tl::io::detail::parse_json(q).text == s);
}

TEST_CASE("safetensors: the bytes are the specification's") {
  dir d;
  named o{"w1"};
  o.x(0, 0) = -2.f;
  tl::io::save_safetensors(d.path / "t.safetensors", o);
  // The header is padded with spaces so that the data starts at a multiple of 8.
  const std::string header = "{\"w1\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]}}";
  CHECK(header.size() == 57);
  const auto expected = file_of(header + "       ", floats({-2.f}));
  CHECK(read_bytes(d.path / "t.safetensors") == expected);
  CHECK(d.files().size() == 1);  // no temporary left
}

TEST_CASE("safetensors: round trips are bit-exact, in C order, for every tensor kind") {
  dir d;
  small_a a;
  small_b b;
  assorted_tensors o;
  fill_parameters(a, 1.0);
  fill_parameters(b, 2.0);
  a.layer<0>().bias.value(0, 1) = -0.0f;
  a.layer<0>().bias.value(0, 2) = std::numeric_limits<float>::denorm_min();
  b.layer<0>().weight.value(1, 1) = std::numeric_limits<double>::quiet_NaN();
  o.step(0, 0) = std::numeric_limits<std::int64_t>::min();
  const auto before = snapshot(a, b, o);
  const fs::path p = d.path / "all.safetensors";
  tl::io::save_safetensors(p, a, b, o);

  small_a a2;
  small_b b2;
  assorted_tensors o2;
  o2.step(0, 0) = 0;
  o2.m.setZero();
  o2.storage.assign(12, 0.f);
  o2.v.setZero();
  tl::io::load_safetensors(p, a2, b2, o2);
  CHECK(snapshot(a2, b2, o2) == before);
  CHECK(o2.storage[3] == 0.f);  // the Map's stride gap is not written

  // The stored layout is C order with the declared shapes: W of a.layer0 is
  // 3x4, row by row; the vector is [5].
  const auto bytes = read_bytes(p);
  const std::uint64_t n = tl::io::detail::get_le<std::uint64_t>(bytes.data());
  const auto header = tl::io::detail::parse_json(
      std::string_view(reinterpret_cast<const char*>(bytes.data()) + 8, n));
  const auto& w = *header.find("a.layer0.W");
  CHECK(w.find("shape")->items.size() == 2);
  CHECK(w.find("shape")->items[0].as_uint64() == 3u);
  CHECK(w.find("dtype")->text == "F32");
  const std::uint64_t begin = *w.find("data_offsets")->items[0].as_uint64();
  float second;
  std::memcpy(&second, bytes.data() + 8 + n + begin + 4, 4);
  CHECK(second == a.layer<0>().weight.value(0, 1));
  CHECK(header.find("opt.vector")->find("shape")->items.size() == 1);
  CHECK(header.find("opt.vector")->find("shape")->items[0].as_uint64() == 5u);
  CHECK(header.find("opt.step")->find("dtype")->text == "I64");
  CHECK(header.find("b.layer0.W")->find("dtype")->text == "F64");
}

TEST_CASE("safetensors: a file from another writer: any order, metadata, padding") {
  dir d;
  // b.layer0.b first, then W, a __metadata__ entry, white space, padding.
  std::vector<unsigned char> data;
  for (double v : {0.5, -1.5, 2.5}) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, 8);
    append_le(data, bits);
  }
  for (int k = 0; k < 6; ++k) {
    const double v = k;  // W in C order: W(i, j) = 3 i + j
    std::uint64_t bits;
    std::memcpy(&bits, &v, 8);
    append_le(data, bits);
  }
  const std::string header =
      "{ \"__metadata__\": {\"format\": \"pt\"},\n"
      "  \"b.layer0.b\": {\"shape\": [1, 3], \"dtype\": \"F64\", \"data_offsets\": [0, 24]},\n"
      "  \"b.layer0.W\": {\"data_offsets\": [24, 72], \"dtype\": \"F64\", \"shape\": [2, 3]} }"
      "      ";
  write_bytes(d.path / "x.safetensors", file_of(header, data));
  small_b b;
  tl::io::load_safetensors(d.path / "x.safetensors", b);
  CHECK(b.layer<0>().bias.value == Eigen::RowVector3d(0.5, -1.5, 2.5));
  Eigen::Matrix<double, 2, 3> w;
  w << 0, 1, 2, 3, 4, 5;
  CHECK(b.layer<0>().weight.value == w);
}

TEST_CASE("safetensors: damaged files are refused, naming the file, before any allocation") {
  dir d;
  one_tensor o;
  const fs::path p = d.path / "t.safetensors";
  const std::string prefix = "tapeless: safetensors " + p.string() + ": ";

  CHECK(error_of([&] { tl::io::load_safetensors(p, o); }) ==
        prefix + "cannot open for reading: No such file or directory");
  CHECK(error_of([&] { tl::io::load_safetensors(d.path, o); }) ==
        "tapeless: safetensors " + d.path.string() +
            ": cannot read: not a regular file (a directory)");

  write_bytes(p, {1, 2, 3, 4, 5});
  CHECK(error_of([&] { tl::io::load_safetensors(p, o); }) ==
        prefix + "truncated: the file has 5 bytes, fewer than the 8 of the header length");

  // A header length beyond the file: refused before the header is read.
  std::vector<unsigned char> huge;
  append_le<std::uint64_t>(huge, 0xFFFFFFFFFFFFull);
  append(huge, "{}");
  write_bytes(p, huge);
  CHECK(error_of([&] { tl::io::load_safetensors(p, o); }) ==
        prefix +
            "truncated: the header length is 281474976710655 bytes, and the file has 2 after it");

  // A header longer than the specification's limit, in a (sparse) file
  // that has that many bytes.
  std::vector<unsigned char> long_header;
  append_le<std::uint64_t>(long_header, 100'000'001);
  write_bytes(p, long_header);
  fs::resize_file(p, 8 + 100'000'001);
  CHECK(error_of([&] { tl::io::load_safetensors(p, o); }) ==
        prefix + "header length 100000001 is more than the format allows (100000000)");

  // The file cut inside the data.
  tl::io::save_safetensors(p, o);
  auto bytes = read_bytes(p);
  bytes.pop_back();
  write_bytes(p, bytes);
  CHECK(error_of([&] { tl::io::load_safetensors(p, o); }) ==
        prefix + "tensor t: data_offsets [0, 8] run past the end of the data section (7 bytes)");
  CHECK(o.t == Eigen::Matrix<float, 1, 2>(7.f, 8.f));
}

TEST_CASE("safetensors: headers that break the specification are refused, naming the tensor") {
  const auto t = [](const std::string& fields) { return "{\"t\":{" + fields + "}}"; };
  const std::string ok_shape = "\"shape\":[1,2]";
  const auto data = floats({1.f, 2.f});
  CHECK(refusal("{\"t\":{\"dtype\":\"F32\",}}", data) ==
        "header: invalid JSON at byte 20 of the header: expected a string key");
  CHECK(refusal("[]", {}) == "header: expected a JSON object, found an array");
  CHECK(refusal("{\"t\":[]}", data) == "tensor t: expected an object, found an array");
  CHECK(refusal(t("\"dtype\":\"F32\"," + ok_shape + ",\"data_offsets\":[0,8],\"x\":1"), data) ==
        "tensor t: unknown key \"x\" (a tensor has dtype, shape and data_offsets)");
  CHECK(refusal(t("\"dtype\":\"F32\"," + ok_shape), data) ==
        "tensor t: missing dtype, shape or data_offsets");
  CHECK(refusal(t("\"dtype\":\"Q7\"," + ok_shape + ",\"data_offsets\":[0,8]"), data) ==
        "tensor t: unknown dtype \"Q7\"");
  CHECK(refusal(t("\"dtype\":\"F32\",\"shape\":[1,-2],\"data_offsets\":[0,8]"), data) ==
        "tensor t: shape: every dimension must be a non-negative integer");
  CHECK(refusal(t("\"dtype\":\"F32\"," + ok_shape + ",\"data_offsets\":[0]"), data) ==
        "tensor t: data_offsets must be an array of two integers");
  CHECK(refusal(t("\"dtype\":\"F32\"," + ok_shape + ",\"data_offsets\":[8,0]"), data) ==
        "tensor t: data_offsets [8, 0] end before they begin");
  CHECK(refusal(t("\"dtype\":\"F32\"," + ok_shape + ",\"data_offsets\":[0,16]"), data) ==
        "tensor t: data_offsets [0, 16] run past the end of the data section (8 bytes)");
  CHECK(refusal(t("\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,8]"), data) ==
        "tensor t: data_offsets [0, 8] hold 8 bytes, and shape [1, 1] of F32 needs 4");
  CHECK(refusal(t("\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]"),
                data) ==
        "tensor t: data_offsets [0, 8] hold 8 bytes, and shape [4294967296, 4294967296] of F32 "
        "needs more than the file has");
  CHECK(refusal("{\"__metadata__\":{\"a\":1}}", {}) ==
        "header: __metadata__ must be an object of strings");
  CHECK(refusal("{\"\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", {}) ==
        "header: a tensor has an empty name");
}

TEST_CASE("safetensors: data ranges must tile the data section, no overlap and no gap") {
  const auto two = [](const std::string& a, const std::string& b) {
    return "{\"t\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":" + a +
           "},\"u\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":" + b + "}}";
  };
  const auto data = floats({1.f, 2.f, 3.f});
  CHECK(refusal(two("[0,8]", "[4,8]"), floats({1.f, 2.f})) ==
        "tensor u: data_offsets [4, 8] overlap tensor t's [0, 8]");
  CHECK(refusal(two("[0,8]", "[0,4]"), floats({1.f, 2.f})) ==
        "tensor t: data_offsets [0, 8] overlap tensor u's [0, 4]");
  CHECK(refusal(two("[4,12]", "[12,16]"), floats({1.f, 2.f, 3.f, 4.f})) ==
        "bytes 0 to 4 of the data section belong to no tensor");
  CHECK(refusal(two("[0,8]", "[8,12]"), floats({1.f, 2.f, 3.f, 4.f})) ==
        "bytes 12 to 16 of the data section belong to no tensor");
  // The same tensor t after u, tiling: accepted (u is then unexpected).
  CHECK(refusal(two("[4,12]", "[0,4]"), data) ==
        "tensor u: unexpected, found [1] F32 in the file, and no tensor of that name in the "
        "objects loaded");
}

TEST_CASE("safetensors: every difference from the objects is listed, and nothing changes") {
  dir d;
  small_a a;
  fill_parameters(a, 3.0);
  tl::io::save_safetensors(d.path / "a.safetensors", a);
  using other = tl::model<struct a, double, tl::Dense<3, 5, tl::ReLU>, tl::Dense<5, 2>>;
  other o;
  fill_parameters(o, 4.0);
  const auto before = snapshot(o);
  const fs::path p = d.path / "a.safetensors";
  CHECK(error_of([&] { tl::io::load_safetensors(p, o); }) ==
        "tapeless: safetensors " + p.string() +
            ": tensor a.layer0.W: expected [3, 5] F64, found [3, 4] F32; tensor a.layer0.b: "
            "expected [1, 5] F64, found [1, 4] F32; tensor a.layer1.W: expected [5, 2] F64, "
            "found [4, 2] F32; tensor a.layer1.b: expected [1, 2] F64, found [1, 2] F32");
  CHECK(snapshot(o) == before);

  small_b b;
  assorted_tensors extra;
  CHECK(error_of([&] { tl::io::load_safetensors(p, b); }) ==
        "tapeless: safetensors " + p.string() +
            ": tensor b.layer0.W: expected [2, 3] F64, not in the file; tensor b.layer0.b: "
            "expected [1, 3] F64, not in the file; tensor a.layer0.W: unexpected, found [3, 4] "
            "F32 in the file, and no tensor of that name in the objects loaded; tensor "
            "a.layer0.b: unexpected, found [1, 4] F32 in the file, and no tensor of that name in "
            "the objects loaded; tensor a.layer1.W: unexpected, found [4, 2] F32 in the file, and "
            "no tensor of that name in the objects loaded; tensor a.layer1.b: unexpected, found "
            "[1, 2] F32 in the file, and no tensor of that name in the objects loaded");
  small_a a2;
  CHECK(error_of([&] { tl::io::load_safetensors(p, a2, a); }) ==
        "tapeless: safetensors " + p.string() +
            ": two tensors of the objects loaded are named a.layer0.W; two tensors of the objects "
            "loaded are named a.layer0.b; two tensors of the objects loaded are named a.layer1.W; "
            "two tensors of the objects loaded are named a.layer1.b");
}

TEST_CASE("safetensors: saving refuses names the format cannot hold, keeping the old file") {
  dir d;
  small_a a, a_again;
  const fs::path p = d.path / "a.safetensors";
  tl::io::save_safetensors(p, a);
  const auto old = read_bytes(p);
  CHECK(error_of([&] { tl::io::save_safetensors(p, a, a_again); }) ==
        "tapeless: safetensors " + p.string() +
            ": cannot save: two tensors are named a.layer0.W; names must be unique among the "
            "objects saved together");
  CHECK(error_of([&] { tl::io::save_safetensors(p, named{"__metadata__"}); }) ==
        "tapeless: safetensors " + p.string() + ": cannot save: a tensor is named __metadata__");
  CHECK(error_of([&] { tl::io::save_safetensors(p, named{"a\xff"}); }) ==
        "tapeless: safetensors " + p.string() +
            ": cannot save: tensor name a\xff is not valid UTF-8");
  CHECK(error_of([&] { tl::io::save_safetensors(p, named{""}); }) ==
        "tapeless: safetensors " + p.string() + ": cannot save: a tensor has an empty name");
  CHECK(read_bytes(p) == old);
  CHECK(d.files().size() == 1);

  // A name that needs escaping in JSON comes back as it was.
  named quoted{"q\"\\\n"};
  quoted.x(0, 0) = 5.f;
  tl::io::save_safetensors(p, quoted);
  named back{"q\"\\\n"};
  tl::io::load_safetensors(p, back);
  CHECK(back.x(0, 0) == 5.f);
}
