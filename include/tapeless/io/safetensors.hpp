#pragma once

// safetensors files (Hugging Face's format; docs/weights-formats.md):
//
//   tl::io::save_safetensors("model.safetensors", net);
//   tl::io::load_safetensors("model.safetensors", net);
//   tl::io::load_safetensors("torch.safetensors", tl::io::torch_sequential(net));  // torch.hpp
//
// The layout: an 8-byte little-endian header length N, N bytes of JSON
// naming every tensor with its dtype, shape and byte range in the data
// section, then the data section: each tensor's elements little-endian in
// C order (row-major). A tensor that objects hand over as a matrix is
// stored with shape [rows, cols]; one wrapped in io::as_vector, [size].
// Dtypes: F32, F64 and I64 (float, double, std::int64_t).
//
// As with checkpoints, loading is all or nothing and never resizes: the
// header length is checked against the file's size before the header is
// read, the header is parsed and checked whole (strict JSON, every tensor's
// dtype, shape and byte range; ranges must tile the data section with no
// gap or overlap, as the format requires) and every tensor matched by name,
// shape and dtype, before the data is read and the first value written.
// Errors are checkpoint_error, "tapeless: safetensors <path>: ...", naming
// the tensor. Saving is atomic, as a checkpoint's.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <tapeless/io/checkpoint.hpp>
#include <tapeless/io/detail/json.hpp>
#include <tapeless/io/detail/tensor_files.hpp>

namespace tapeless::io {

namespace detail {

inline constexpr std::string_view safetensors_format = "safetensors";
// What the reference implementation accepts at most, and so does this one:
// a larger length is damage, and reading it would allocate that much.
inline constexpr std::uint64_t safetensors_max_header = 100'000'000;

struct safetensors_dtypes {
  template <class S>
  static constexpr std::string_view dtype() {
    constexpr std::uint32_t code = dtype_code<S>();
    return code == 1 ? "F32" : code == 2 ? "F64" : "I64";
  }
};

// The size in bytes of an element of a dtype of the format's specification,
// or 0 for a name it does not have.
inline std::uint64_t safetensors_dtype_size(std::string_view d) {
  for (std::string_view n : {"BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3"})
    if (d == n) return 1;
  for (std::string_view n : {"I16", "U16", "F16", "BF16"})
    if (d == n) return 2;
  for (std::string_view n : {"I32", "U32", "F32"})
    if (d == n) return 4;
  for (std::string_view n : {"I64", "U64", "F64"})
    if (d == n) return 8;
  return 0;
}

struct safetensors_entry {
  stored_tensor tensor;
  std::uint64_t begin, end;  // in the data section
};

// The tensors a header declares, checked against each other and against the
// data section's size; fails naming the tensor at fault.
inline std::vector<safetensors_entry> parse_safetensors_header(const std::filesystem::path& file,
                                                               std::string_view text,
                                                               std::uint64_t data_size) {
  const auto fail = [&](const std::string& what) { fail_in(safetensors_format, file, what); };
  json_value root;
  try {
    root = parse_json(text);
  } catch (const json_error& e) {
    fail("header: invalid JSON at byte " + std::to_string(e.offset) +
         " of the header: " + e.what());
  }
  if (root.type != json_value::kind::object)
    fail(std::string("header: expected a JSON object, found ") + json_kind_name(root.type));

  std::vector<safetensors_entry> entries;
  for (std::size_t i = 0; i < root.keys.size(); ++i) {
    const std::string& name = root.keys[i];
    const json_value& v = root.items[i];
    if (name == "__metadata__") {  // text to text; read and checked, not used
      bool strings = v.type == json_value::kind::object;
      for (const json_value& m : v.items) strings = strings && m.type == json_value::kind::string;
      if (!strings) fail("header: __metadata__ must be an object of strings");
      continue;
    }
    const auto bad = [&](const std::string& what) { fail("tensor " + name + ": " + what); };
    if (name.empty()) fail("header: a tensor has an empty name");
    if (v.type != json_value::kind::object)
      bad(std::string("expected an object, found ") + json_kind_name(v.type));
    for (const std::string& key : v.keys)
      if (key != "dtype" && key != "shape" && key != "data_offsets")
        bad("unknown key \"" + key + "\" (a tensor has dtype, shape and data_offsets)");
    const json_value* dtype = v.find("dtype");
    const json_value* shape = v.find("shape");
    const json_value* offsets = v.find("data_offsets");
    if (!dtype || !shape || !offsets) bad("missing dtype, shape or data_offsets");
    if (dtype->type != json_value::kind::string) bad("dtype is not a string");
    const std::uint64_t element_size = safetensors_dtype_size(dtype->text);
    if (element_size == 0) bad("unknown dtype \"" + dtype->text + "\"");
    if (shape->type != json_value::kind::array) bad("shape is not an array");
    safetensors_entry e;
    e.tensor.name = name;
    e.tensor.dtype = dtype->text;
    for (const json_value& d : shape->items) {
      const auto n = d.as_uint64();
      if (!n) bad("shape: every dimension must be a non-negative integer");
      e.tensor.shape.push_back(*n);
    }
    if (offsets->type != json_value::kind::array || offsets->items.size() != 2)
      bad("data_offsets must be an array of two integers");
    const auto begin = offsets->items[0].as_uint64(), end = offsets->items[1].as_uint64();
    if (!begin || !end) bad("data_offsets must be non-negative integers");
    e.begin = *begin;
    e.end = *end;
    const std::string range =
        "data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "]";
    if (e.end < e.begin) bad(range + " end before they begin");
    if (e.end > data_size)
      bad(range + " run past the end of the data section (" + std::to_string(data_size) +
          " bytes)");
    const auto count = element_count(e.tensor.shape);
    if (!count || *count > data_size / element_size || *count * element_size != e.end - e.begin)
      bad(range + " hold " + std::to_string(e.end - e.begin) + " bytes, and shape " +
          shape_text(e.tensor.shape) + " of " + dtype->text + " needs " +
          (count && *count <= data_size / element_size ? std::to_string(*count * element_size)
                                                       : std::string("more than the file has")));
    entries.push_back(std::move(e));
  }

  // The ranges tile the data section: sorted, each begins where the one
  // before ends (a tensor of no bytes may share its neighbour's offset).
  std::vector<const safetensors_entry*> order;
  for (const auto& e : entries) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  std::uint64_t covered = 0;
  const safetensors_entry* previous = nullptr;
  for (const safetensors_entry* e : order) {
    if (e->begin < covered)
      fail("tensor " + e->tensor.name + ": data_offsets [" + std::to_string(e->begin) + ", " +
           std::to_string(e->end) + "] overlap tensor " + previous->tensor.name + "'s [" +
           std::to_string(previous->begin) + ", " + std::to_string(previous->end) + "]");
    if (e->begin > covered)
      fail("bytes " + std::to_string(covered) + " to " + std::to_string(e->begin) +
           " of the data section belong to no tensor");
    covered = e->end;
    previous = e;
  }
  if (covered != data_size)
    fail("bytes " + std::to_string(covered) + " to " + std::to_string(data_size) +
         " of the data section belong to no tensor");
  return entries;
}

template <class... Objs>
void load_safetensors_into(const std::filesystem::path& file, Objs&... objs) {
  const auto fail = [&](const std::string& what) { fail_in(safetensors_format, file, what); };
  checkpoint_input in(file);
  const std::uint64_t size = in.size();
  unsigned char length_bytes[8];
  if (in.read(file, length_bytes, 8) != 8 || size < 8)
    fail("truncated: the file has " + std::to_string(size) +
         " bytes, fewer than the 8 of the header length");
  const auto header_size = get_le<std::uint64_t>(length_bytes);
  if (header_size > size - 8)
    fail("truncated: the header length is " + std::to_string(header_size) +
         " bytes, and the file has " + std::to_string(size - 8) + " after it");
  if (header_size > safetensors_max_header)
    fail("header length " + std::to_string(header_size) + " is more than the format allows (" +
         std::to_string(safetensors_max_header) + ")");
  const std::vector<unsigned char> header =
      read_exactly(safetensors_format, file, in, header_size, 8);
  const std::uint64_t data_size = size - 8 - header_size;
  std::vector<safetensors_entry> entries = parse_safetensors_header(
      file, {reinterpret_cast<const char*>(header.data()), header.size()}, data_size);

  tensor_matcher matcher(safetensors_dtypes{}, objs...);
  for (const auto& e : entries) matcher.offer(e.tensor);  // JSON keys are unique
  if (std::string problems = matcher.problems(); !problems.empty()) fail(problems);

  const std::vector<unsigned char> data =
      read_exactly(safetensors_format, file, in, data_size, 8 + header_size);
  for (auto& e : entries) e.tensor.data = data.data() + e.begin;
  const auto copy = [&](const auto& name, auto&& tensor) {
    copy_from_c_order(tensor, matcher.match(std::string_view(name)).data);
  };
  (objs.for_each_tensor(copy), ...);
}

}  // namespace detail

// Saves every tensor of `objs` to `file` as safetensors, replacing it
// atomically. The header lists the tensors in for_each_tensor order, packed
// in that order, and is padded with spaces so that the data starts at a
// multiple of 8 bytes. Throws checkpoint_error if two tensors have one name
// (or a name is empty, "__metadata__" or not UTF-8) or the file cannot be
// written; a previous file is then left as it was.
template <Checkpointable... Objs>
void save_safetensors(const std::filesystem::path& file, const Objs&... objs) {
  namespace d = detail;
  d::as_format(d::safetensors_format, [&] {
    d::name_checker names(d::safetensors_format, file);
    std::string header = "{";
    std::uint64_t offset = 0;
    const auto describe = [&](const auto& name, auto&& tensor) {
      using S = d::scalar_of<decltype(tensor)>;
      const std::string n(name);
      names.add(n);
      if (n == "__metadata__")
        d::fail_in(d::safetensors_format, file, "cannot save: a tensor is named __metadata__");
      const std::uint64_t bytes =
          static_cast<std::uint64_t>(d::matrix_of(tensor).size()) * sizeof(S);
      header += (header.size() > 1 ? "," : "") + d::json_quote(n) + ":{\"dtype\":\"" +
                std::string(d::safetensors_dtypes::dtype<S>()) + "\",\"shape\":[";
      const d::shape_t shape = d::declared_shape(tensor);
      for (std::size_t k = 0; k < shape.size(); ++k)
        header += (k ? "," : "") + std::to_string(shape[k]);
      header += "],\"data_offsets\":[" + std::to_string(offset) + "," +
                std::to_string(offset + bytes) + "]}";
      offset += bytes;
    };
    (objs.for_each_tensor(describe), ...);
    header += "}";
    header.append((8 - header.size() % 8) % 8, ' ');

    d::save_atomically(file, [&](std::FILE* f) {
      d::byte_writer out(f, d::safetensors_format, file);
      out.integer(static_cast<std::uint64_t>(header.size()));
      out.bytes(header);
      const auto write = [&](const auto&, auto&& tensor) { out.tensor(tensor); };
      (objs.for_each_tensor(write), ...);
      if (out.written() != 8 + header.size() + offset)
        d::fail_in(d::safetensors_format, file,
                   "cannot save: the objects' tensors changed between two for_each_tensor calls");
    });
  });
}

// Loads every tensor of `objs` from the safetensors `file`: all or nothing,
// matching names, shapes and dtypes exactly (see the top of this file).
// Objects may be temporaries (the view torch_sequential returns).
template <class... Objs>
void load_safetensors(const std::filesystem::path& file, Objs&&... objs) {
  if constexpr (detail::loaded_objects_are_mutable<Objs...>())
    detail::as_format(detail::safetensors_format,
                      [&] { detail::load_safetensors_into(file, objs...); });
}

}  // namespace tapeless::io
