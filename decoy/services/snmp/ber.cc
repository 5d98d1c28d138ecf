// BER for SNMP: definite lengths of at most 4 bytes, single-byte tags, bounded integers and OIDs.
#include "decoy/services/snmp/ber.h"

#include <charconv>

namespace decnet::decoy::snmp {

std::string oidText(const Oid& oid) {
  std::string out;
  for (std::size_t i = 0; i < oid.size(); ++i) {
    if (i > 0) out += '.';
    out += std::to_string(oid[i]);
  }
  return out;
}

Oid parseOid(std::string_view text) {
  Oid out;
  if (!text.empty() && text.front() == '.') text.remove_prefix(1);
  while (!text.empty()) {
    const auto dot = text.find('.');
    const std::string_view part = text.substr(0, dot);
    std::uint32_t arc = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), arc);
    if (part.empty() || ec != std::errc() || end != part.data() + part.size()) return {};
    out.push_back(arc);
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
    if (text.empty()) return {};
  }
  return out;
}

std::uint8_t BerReader::peekTag() const {
  if (!ok() || atEnd()) return 0;
  return static_cast<std::uint8_t>(bytes_[pos_]);
}

void BerReader::fail(std::string why) {
  if (error_.empty()) error_ = std::move(why);
}

bool BerReader::header(std::uint8_t& tag, std::string_view& content) {
  if (!ok()) return false;
  const std::size_t size = bytes_.size();
  if (size - pos_ < 2) {
    fail("truncated TLV header");
    return false;
  }
  tag = static_cast<std::uint8_t>(bytes_[pos_]);
  if ((tag & 0x1f) == 0x1f) {
    fail("high tag number form");
    return false;
  }
  const auto first = static_cast<std::uint8_t>(bytes_[pos_ + 1]);
  std::size_t at = pos_ + 2;
  std::size_t length = first;
  if (first == 0x80) {
    fail("indefinite length");
    return false;
  }
  if (first > 0x80) {
    const std::size_t count = first & 0x7f;
    if (count > 4) {
      fail("length of length too large");
      return false;
    }
    if (size - at < count) {
      fail("truncated length");
      return false;
    }
    length = 0;
    for (std::size_t i = 0; i < count; ++i) {
      length = (length << 8) | static_cast<std::uint8_t>(bytes_[at + i]);
    }
    at += count;
  }
  if (length > size - at) {
    fail("length beyond datagram");
    return false;
  }
  content = bytes_.substr(at, length);
  pos_ = at + length;
  return true;
}

std::string_view BerReader::expect(std::uint8_t tag, const char* what) {
  if (!ok()) return {};
  if (atEnd()) {
    fail(std::string("missing ") + what);
    return {};
  }
  if (peekTag() != tag) {
    fail(std::string("unexpected tag for ") + what);
    return {};
  }
  std::uint8_t got = 0;
  std::string_view content;
  if (!header(got, content)) return {};
  return content;
}

BerReader BerReader::enter(std::uint8_t tag, const char* what) {
  const std::string_view content = expect(tag, what);
  BerReader inner(content, depth_ + 1);
  if (!ok()) {
    inner.fail(error_);
  } else if (depth_ + 1 > kMaxDepth) {
    fail("nesting too deep");
    inner.fail(error_);
  }
  return inner;
}

std::int64_t BerReader::integer(const char* what) {
  const std::string_view content = expect(kTagInteger, what);
  if (!ok()) return 0;
  if (content.empty()) {
    fail(std::string("empty ") + what);
    return 0;
  }
  if (content.size() > 8) {
    fail(std::string("integer too large for ") + what);
    return 0;
  }
  // Sign-extend from the first byte, then shift the rest in.
  std::uint64_t value = static_cast<std::int8_t>(content[0]) < 0 ? ~std::uint64_t{0} : 0;
  for (const char c : content) value = (value << 8) | static_cast<std::uint8_t>(c);
  return static_cast<std::int64_t>(value);
}

std::string BerReader::octets(const char* what) {
  const std::string_view content = expect(kTagOctetString, what);
  return std::string(content);
}

Oid BerReader::oid(const char* what) {
  const std::string_view content = expect(kTagOid, what);
  if (!ok()) return {};
  if (content.empty()) {
    fail(std::string("empty ") + what);
    return {};
  }
  Oid out;
  std::uint64_t arc = 0;
  int bytes = 0;
  bool first = true;
  for (const char c : content) {
    const auto byte = static_cast<std::uint8_t>(c);
    if (bytes == 0 && byte == 0x80) {
      fail(std::string("non-minimal arc in ") + what);
      return {};
    }
    arc = (arc << 7) | (byte & 0x7f);
    if (++bytes > 5 || arc > 0xffffffffULL) {
      fail(std::string("arc overflow in ") + what);
      return {};
    }
    if (byte & 0x80) continue;
    if (first) {
      // The first subidentifier packs two arcs: X*40+Y.
      const std::uint64_t x = arc < 40 ? 0 : arc < 80 ? 1 : 2;
      out.push_back(static_cast<std::uint32_t>(x));
      out.push_back(static_cast<std::uint32_t>(arc - x * 40));
      first = false;
    } else {
      out.push_back(static_cast<std::uint32_t>(arc));
    }
    if (out.size() > kMaxOidArcs) {
      fail(std::string("too many arcs in ") + what);
      return {};
    }
    arc = 0;
    bytes = 0;
  }
  if (bytes != 0) {
    fail(std::string("truncated arc in ") + what);
    return {};
  }
  return out;
}

bool BerReader::validate(std::string_view content, int depth) {
  if (depth > kMaxDepth) {
    fail("nesting too deep");
    return false;
  }
  BerReader inner(content, depth);
  while (!inner.atEnd() && inner.ok()) {
    std::uint8_t tag = 0;
    std::string_view child;
    if (!inner.header(tag, child)) break;
    if ((tag & 0x20) != 0 && !inner.validate(child, depth + 1)) break;
  }
  if (!inner.ok()) fail(inner.error());
  return ok();
}

std::uint8_t BerReader::any(std::string_view& value) {
  std::uint8_t tag = 0;
  if (!ok()) return 0;
  if (atEnd()) {
    fail("missing value");
    return 0;
  }
  if (!header(tag, value)) return 0;
  if ((tag & 0x20) != 0 && !validate(value, depth_ + 1)) return 0;
  return tag;
}

std::string berTlv(std::uint8_t tag, std::string_view content) {
  std::string out(1, static_cast<char>(tag));
  const std::size_t length = content.size();
  if (length < 0x80) {
    out += static_cast<char>(length);
  } else {
    std::string bytes;
    for (std::size_t rest = length; rest > 0; rest >>= 8) {
      bytes.insert(bytes.begin(), static_cast<char>(rest & 0xff));
    }
    out += static_cast<char>(0x80 | bytes.size());
    out += bytes;
  }
  out.append(content);
  return out;
}

std::string berInteger(std::int64_t value) {
  std::string bytes;
  for (int i = 7; i >= 0; --i) {
    bytes += static_cast<char>((static_cast<std::uint64_t>(value) >> (i * 8)) & 0xff);
  }
  // Minimal two's complement: drop leading bytes that only repeat the sign.
  std::size_t start = 0;
  while (start < 7) {
    const auto b = static_cast<std::uint8_t>(bytes[start]);
    const auto next = static_cast<std::uint8_t>(bytes[start + 1]);
    if ((b == 0x00 && (next & 0x80) == 0) || (b == 0xff && (next & 0x80) != 0)) {
      ++start;
    } else {
      break;
    }
  }
  return berTlv(kTagInteger, std::string_view(bytes).substr(start));
}

std::string berUnsigned(std::uint8_t tag, std::uint32_t value) {
  std::string encoded = berInteger(static_cast<std::int64_t>(value));
  encoded[0] = static_cast<char>(tag);
  return encoded;
}

std::string berOctets(std::string_view bytes) { return berTlv(kTagOctetString, bytes); }

std::string berNull(std::uint8_t tag) { return berTlv(tag, {}); }

std::string berOid(const Oid& oid) {
  std::string content;
  auto arc = [&content](std::uint64_t value) {
    std::string bytes(1, static_cast<char>(value & 0x7f));
    for (value >>= 7; value > 0; value >>= 7) {
      bytes.insert(bytes.begin(), static_cast<char>(0x80 | (value & 0x7f)));
    }
    content += bytes;
  };
  if (oid.size() >= 2) {
    arc(std::uint64_t{oid[0]} * 40 + oid[1]);
    for (std::size_t i = 2; i < oid.size(); ++i) arc(oid[i]);
  } else if (oid.size() == 1) {
    arc(std::uint64_t{oid[0]} * 40);
  }
  return berTlv(kTagOid, content);
}

}  // namespace decnet::decoy::snmp
