// BER reader and writer: round trips, known encodings and every bound of the reader.
#include <gtest/gtest.h>

#include <string>

#include "decoy/services/snmp/ber.h"

namespace decnet::decoy::snmp {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out += static_cast<char>(v);
  return out;
}

TEST(SnmpBer, IntegersRoundTripMinimally) {
  EXPECT_EQ(berInteger(0), bytes({0x02, 0x01, 0x00}));
  EXPECT_EQ(berInteger(127), bytes({0x02, 0x01, 0x7f}));
  EXPECT_EQ(berInteger(128), bytes({0x02, 0x02, 0x00, 0x80}));
  EXPECT_EQ(berInteger(-1), bytes({0x02, 0x01, 0xff}));
  EXPECT_EQ(berInteger(-129), bytes({0x02, 0x02, 0xff, 0x7f}));
  for (std::int64_t v :
       {0LL, 1LL, -1LL, 255LL, 256LL, -32768LL, 2147483647LL, -2147483648LL, 4294967295LL}) {
    const std::string encoded = berInteger(v);
    BerReader reader(encoded);
    EXPECT_EQ(reader.integer("n"), v);
    EXPECT_TRUE(reader.ok()) << reader.error();
    EXPECT_TRUE(reader.atEnd());
  }
  EXPECT_EQ(berUnsigned(kTagCounter32, 4294967295U),
            bytes({0x41, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(berUnsigned(kTagTimeTicks, 0), bytes({0x43, 0x01, 0x00}));
}

TEST(SnmpBer, OidsRoundTrip) {
  const Oid sysDescr = {1, 3, 6, 1, 2, 1, 1, 1, 0};
  EXPECT_EQ(berOid(sysDescr), bytes({0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00}));
  const Oid big = {1, 3, 6, 1, 4, 1, 4294967295U, 128, 16383, 16384};
  const std::string encoded = berOid(big);
  BerReader reader(encoded);
  EXPECT_EQ(reader.oid("oid"), big);
  EXPECT_TRUE(reader.ok()) << reader.error();
  EXPECT_EQ(oidText(sysDescr), "1.3.6.1.2.1.1.1.0");
  EXPECT_EQ(parseOid(".1.3.6.1.2.1.1.1.0"), sysDescr);
  EXPECT_TRUE(parseOid("1.3.x").empty());
  EXPECT_TRUE(parseOid("1.3.").empty());
  EXPECT_TRUE(parseOid("1.99999999999").empty());
}

TEST(SnmpBer, LongLengths) {
  const std::string content(300, 'a');
  const std::string encoded = berOctets(content);
  EXPECT_EQ(encoded.substr(0, 4), bytes({0x04, 0x82, 0x01, 0x2c}));
  BerReader reader(encoded);
  EXPECT_EQ(reader.octets("s"), content);
  EXPECT_TRUE(reader.ok());
}

void expectError(const std::string& input, const std::string& error) {
  BerReader reader(input);
  std::string_view value;
  reader.any(value);
  EXPECT_FALSE(reader.ok());
  EXPECT_EQ(reader.error(), error);
}

TEST(SnmpBer, MalformedInputIsAnErrorNotACrash) {
  expectError("", "missing value");
  expectError(bytes({0x30}), "truncated TLV header");
  expectError(bytes({0x30, 0x05, 0x02}), "length beyond datagram");
  expectError(bytes({0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00}), "length beyond datagram");
  expectError(bytes({0x30, 0x85, 0x01, 0x01, 0x01, 0x01, 0x01}), "length of length too large");
  expectError(bytes({0x30, 0x82, 0x01}), "truncated length");
  expectError(bytes({0x30, 0x80, 0x00, 0x00}), "indefinite length");
  expectError(bytes({0x1f, 0x01, 0x00}), "high tag number form");
  std::string deep = berNull();
  for (int i = 0; i < 100; ++i) deep = berTlv(kTagSequence, deep);
  expectError(deep, "nesting too deep");
}

std::string integerError(const std::string& input) {
  BerReader reader(input);
  reader.integer("n");
  return reader.error();
}

std::string oidError(const std::string& input) {
  BerReader reader(input);
  reader.oid("o");
  return reader.error();
}

TEST(SnmpBer, BoundedIntegersAndOids) {
  EXPECT_EQ(integerError(bytes({0x02, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9})),
            "integer too large for n");
  EXPECT_EQ(integerError(bytes({0x02, 0x00})), "empty n");
  EXPECT_EQ(integerError(bytes({0x04, 0x01, 0x00})), "unexpected tag for n");
  EXPECT_EQ(oidError(bytes({0x06, 0x07, 0x2b, 0x90, 0x80, 0x80, 0x80, 0x80, 0x00})),
            "arc overflow in o");
  EXPECT_EQ(oidError(bytes({0x06, 0x06, 0x2b, 0x90, 0x80, 0x80, 0x80, 0x00})), "arc overflow in o");
  EXPECT_EQ(oidError(bytes({0x06, 0x02, 0x2b, 0x81})), "truncated arc in o");
  EXPECT_EQ(oidError(bytes({0x06, 0x02, 0x2b, 0x80})), "non-minimal arc in o");
  EXPECT_EQ(oidError(bytes({0x06, 0x00})), "empty o");
  std::string many = bytes({0x2b});
  many += std::string(200, '\x01');
  EXPECT_EQ(oidError(berTlv(kTagOid, many)), "too many arcs in o");

  // The first error sticks; later reads return nothing.
  const std::string truncated = bytes({0x02});
  BerReader sticky(truncated);
  sticky.integer("a");
  EXPECT_EQ(sticky.octets("b"), "");
  EXPECT_EQ(sticky.error(), "truncated TLV header");
}

}  // namespace
}  // namespace decnet::decoy::snmp
