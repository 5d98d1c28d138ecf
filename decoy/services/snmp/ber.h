#pragma once
// The subset of BER (X.690) SNMP v1/v2c needs, with every length and size bounded: a hostile
// datagram turns into an error string, never a read past the buffer or an exception.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace decnet::decoy::snmp {

using Oid = std::vector<std::uint32_t>;

// Tags of the SNMP encoding (universal, application and context-specific).
inline constexpr std::uint8_t kTagInteger = 0x02;
inline constexpr std::uint8_t kTagOctetString = 0x04;
inline constexpr std::uint8_t kTagNull = 0x05;
inline constexpr std::uint8_t kTagOid = 0x06;
inline constexpr std::uint8_t kTagSequence = 0x30;
inline constexpr std::uint8_t kTagIpAddress = 0x40;
inline constexpr std::uint8_t kTagCounter32 = 0x41;
inline constexpr std::uint8_t kTagGauge32 = 0x42;
inline constexpr std::uint8_t kTagTimeTicks = 0x43;
inline constexpr std::uint8_t kTagNoSuchObject = 0x80;
inline constexpr std::uint8_t kTagNoSuchInstance = 0x81;
inline constexpr std::uint8_t kTagEndOfMibView = 0x82;

inline constexpr std::size_t kMaxOidArcs = 128;  // RFC 2578 §3.5
inline constexpr int kMaxDepth = 8;              // SNMP itself nests 4 deep

// "1.3.6.1.2.1.1.1.0".
std::string oidText(const Oid& oid);
// The OID spelled by `text` (dotted decimal); empty on any error.
Oid parseOid(std::string_view text);

// Reads TLVs from a byte range. The first error sticks: later reads return empty values and
// the error names the first thing that was wrong.
class BerReader {
 public:
  explicit BerReader(std::string_view bytes, int depth = 0) : bytes_(bytes), depth_(depth) {}
  // The reader borrows its bytes: a temporary string would dangle.
  explicit BerReader(std::string&& bytes, int depth = 0) = delete;

  // True while nothing was malformed.
  bool ok() const { return error_.empty(); }
  // The first problem found ("length beyond datagram"); empty while ok().
  const std::string& error() const { return error_; }
  // True when every byte was consumed.
  bool atEnd() const { return pos_ >= bytes_.size(); }
  // The tag of the next TLV, or 0 at the end or after an error.
  std::uint8_t peekTag() const;

  // The next TLV, which must carry `tag`; returns its contents.
  std::string_view expect(std::uint8_t tag, const char* what);
  // A constructed TLV with `tag`, as a reader of its contents one level deeper.
  BerReader enter(std::uint8_t tag, const char* what);
  // An INTEGER of at most 8 content bytes, two's complement.
  std::int64_t integer(const char* what);
  // An OCTET STRING.
  std::string octets(const char* what);
  // An OBJECT IDENTIFIER: arcs up to 2^32-1, at most kMaxOidArcs of them.
  Oid oid(const char* what);
  // Any TLV, validated down to kMaxDepth; returns its tag and stores its contents in `value`.
  std::uint8_t any(std::string_view& value);
  // Marks the input as malformed (the first call wins).
  void fail(std::string why);

 private:
  bool header(std::uint8_t& tag, std::string_view& content);
  bool validate(std::string_view content, int depth);

  std::string_view bytes_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  std::string error_;
};

// TLV builders. Values are complete encodings that nest by concatenation.
std::string berTlv(std::uint8_t tag, std::string_view content);
std::string berInteger(std::int64_t value);
std::string berUnsigned(std::uint8_t tag, std::uint32_t value);  // Counter32/Gauge32/TimeTicks
std::string berOctets(std::string_view bytes);
std::string berNull(std::uint8_t tag = kTagNull);
std::string berOid(const Oid& oid);

}  // namespace decnet::decoy::snmp
