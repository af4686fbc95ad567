#pragma once

// A small strict JSON reader and writer (RFC 8259), for the header of a
// safetensors file. Strict: no comments, no trailing commas, no leading
// zeros, no control characters or invalid UTF-8 in strings, no duplicate
// keys in an object; nesting is limited (so that "[[[[..." cannot exhaust
// the stack). Numbers are kept as their text: the caller converts the ones
// it needs (as_uint64), so that large integers are never rounded through a
// double. Standard library only.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tapeless::io::detail {

// What parse_json throws: where (a byte offset in the text) and what.
struct json_error : std::runtime_error {
  std::size_t offset;
  json_error(std::size_t at, const std::string& what) : std::runtime_error(what), offset(at) {}
};

struct json_value {
  enum class kind { null, boolean, number, string, array, object };
  kind type = kind::null;
  bool boolean = false;
  std::string text;               // a string's contents (UTF-8), or a number as written
  std::vector<json_value> items;  // an array's elements, or an object's values
  std::vector<std::string> keys;  // an object's keys, in the order written
  std::size_t offset = 0;         // where the value starts in the text

  // An object's member, or nullptr.
  const json_value* find(std::string_view key) const {
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (keys[i] == key) return &items[i];
    return nullptr;
  }

  // A number that is a non-negative integer written without fraction or
  // exponent, and fits in 64 bits; nothing otherwise.
  std::optional<std::uint64_t> as_uint64() const {
    if (type != kind::number || text.empty() || text[0] == '-') return std::nullopt;
    std::uint64_t v = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return std::nullopt;
      const auto digit = static_cast<std::uint64_t>(c - '0');
      if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
      v = v * 10 + digit;
    }
    return v;
  }
};

inline const char* json_kind_name(json_value::kind k) {
  switch (k) {
    case json_value::kind::null:
      return "null";
    case json_value::kind::boolean:
      return "a boolean";
    case json_value::kind::number:
      return "a number";
    case json_value::kind::string:
      return "a string";
    case json_value::kind::array:
      return "an array";
    case json_value::kind::object:
      return "an object";
  }
  return "a value";
}

// The length of the UTF-8 sequence at s[i] (1 to 4 bytes) if it is well
// formed (shortest form, no surrogates, at most U+10FFFF), else 0.
inline std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return 1;
  std::size_t n;
  std::uint32_t cp;
  if ((b0 & 0xE0) == 0xC0)
    n = 2, cp = b0 & 0x1Fu;
  else if ((b0 & 0xF0) == 0xE0)
    n = 3, cp = b0 & 0x0Fu;
  else if ((b0 & 0xF8) == 0xF0)
    n = 4, cp = b0 & 0x07u;
  else
    return 0;
  if (s.size() - i < n) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3Fu);
  }
  const std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < smallest[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

inline bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

class json_parser {
  std::string_view s_;
  std::size_t at_ = 0;
  static constexpr int max_depth = 64;

  [[noreturn]] void fail(const std::string& what) const { throw json_error(at_, what); }

  void skip_space() {
    while (at_ < s_.size() &&
           (s_[at_] == ' ' || s_[at_] == '\t' || s_[at_] == '\n' || s_[at_] == '\r'))
      ++at_;
  }
  bool eat(char c) {
    if (at_ < s_.size() && s_[at_] == c) return ++at_, true;
    return false;
  }
  void expect(char c, const char* what) {
    skip_space();
    if (!eat(c)) fail(std::string("expected ") + what);
  }
  void literal(std::string_view word) {
    if (s_.substr(at_, word.size()) != word) fail("invalid literal");
    at_ += word.size();
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::uint32_t hex4() {
    if (s_.size() - at_ < 4) fail("truncated \\u escape");
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[at_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<std::uint32_t>(c - 'A' + 10);
      else
        fail("invalid \\u escape");
    }
    return v;
  }

  std::string string_body() {  // after the opening quote
    std::string out;
    for (;;) {
      if (at_ >= s_.size()) fail("unterminated string");
      const char c = s_[at_];
      if (c == '"') {
        ++at_;
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
      if (c != '\\') {
        const std::size_t n = utf8_sequence(s_, at_);
        if (n == 0) fail("invalid UTF-8 in a string");
        out.append(s_.substr(at_, n));
        at_ += n;
        continue;
      }
      ++at_;
      if (at_ >= s_.size()) fail("unterminated string");
      switch (s_[at_++]) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          std::uint32_t cp = hex4();
          if (cp >= 0xDC00 && cp <= 0xDFFF) fail("unpaired surrogate in a \\u escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (!(eat('\\') && eat('u'))) fail("unpaired surrogate in a \\u escape");
            const std::uint32_t low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("unpaired surrogate in a \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default:
          --at_;
          fail("invalid escape in a string");
      }
    }
  }

  void number(json_value& v) {
    const std::size_t start = at_;
    const auto digits = [&] {
      const std::size_t first = at_;
      while (at_ < s_.size() && s_[at_] >= '0' && s_[at_] <= '9') ++at_;
      return at_ - first;
    };
    eat('-');
    const std::size_t int_start = at_;
    const std::size_t n = digits();
    if (n == 0) fail("invalid number");
    if (n > 1 && s_[int_start] == '0') fail("leading zero in a number");
    if (eat('.') && digits() == 0) fail("invalid number");
    if (eat('e') || eat('E')) {
      if (!eat('+')) eat('-');
      if (digits() == 0) fail("invalid number");
    }
    v.type = json_value::kind::number;
    v.text = std::string(s_.substr(start, at_ - start));
  }

  json_value value(int depth) {
    skip_space();
    if (at_ >= s_.size()) fail("unexpected end of the text");
    json_value v;
    v.offset = at_;
    const char c = s_[at_];
    if (c == '{' || c == '[') {
      if (depth == max_depth) fail("nested too deeply");
      ++at_;
      const bool object = c == '{';
      v.type = object ? json_value::kind::object : json_value::kind::array;
      skip_space();
      if (eat(object ? '}' : ']')) return v;
      for (;;) {
        if (object) {
          skip_space();
          const std::size_t key_at = at_;
          if (!eat('"')) fail("expected a string key");
          std::string key = string_body();
          if (v.find(key)) {
            at_ = key_at;
            fail("duplicate key \"" + key + "\"");
          }
          v.keys.push_back(std::move(key));
          expect(':', "':'");
        }
        v.items.push_back(value(depth + 1));
        skip_space();
        if (eat(object ? '}' : ']')) return v;
        if (!eat(',')) fail(object ? "expected ',' or '}'" : "expected ',' or ']'");
      }
    }
    if (c == '"') {
      ++at_;
      v.type = json_value::kind::string;
      v.text = string_body();
    } else if (c == 't') {
      literal("true");
      v.type = json_value::kind::boolean;
      v.boolean = true;
    } else if (c == 'f') {
      literal("false");
      v.type = json_value::kind::boolean;
    } else if (c == 'n') {
      literal("null");
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      number(v);
    } else {
      fail("unexpected character");
    }
    return v;
  }

 public:
  explicit json_parser(std::string_view s) : s_(s) {}

  // The one value of the text, with nothing but white space after it.
  json_value parse() {
    json_value v = value(0);
    skip_space();
    if (at_ != s_.size()) fail("unexpected text after the value");
    return v;
  }
};

inline json_value parse_json(std::string_view text) { return json_parser(text).parse(); }

// s as a JSON string literal, quotes included; s must be valid UTF-8.
inline std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      const char hex[] = "0123456789abcdef";
      out += "\\u00";
      out += hex[u >> 4];
      out += hex[u & 0xF];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace tapeless::io::detail
