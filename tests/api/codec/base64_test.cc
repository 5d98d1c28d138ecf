#include "api/codec/base64.h"

#include <gtest/gtest.h>

namespace decnet::api {
namespace {

TEST(Base64, Rfc4648VectorsInBothAlphabets) {
  EXPECT_EQ(base64Encode(""), "");
  EXPECT_EQ(base64Encode("f"), "Zg==");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
  EXPECT_EQ(base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64UrlEncode("f"), "Zg") << "unpadded";
  EXPECT_EQ(base64Encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(base64UrlEncode("\xfb\xff"), "-_8");
  for (const char* text : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xfb\xff\x00x"}) {
    EXPECT_EQ(base64Decode(base64Encode(text)), text);
    EXPECT_EQ(base64Decode(base64UrlEncode(text)), text);
  }
  EXPECT_EQ(base64Decode("Zm9v\nYmFy\n"), "foobar") << "line breaks are skipped";
  EXPECT_EQ(base64Decode("Zm9v YmFy"), std::nullopt);
  EXPECT_EQ(base64Decode("Zm9v*"), std::nullopt);
}

}  // namespace
}  // namespace decnet::api
