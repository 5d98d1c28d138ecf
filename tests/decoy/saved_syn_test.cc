#include "decoy/saved_syn.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace decnet::decoy {
namespace {

std::string header(std::initializer_list<int> leading, std::size_t size) {
  std::string bytes(size, '\0');
  std::size_t at = 0;
  for (int b : leading) bytes[at++] = static_cast<char>(b);
  return bytes;
}

TEST(SavedSynTest, ReadsTheTtlOfIpv4AndTheHopLimitOfIpv6) {
  std::string v4 = header({0x45}, 40);
  v4[8] = static_cast<char>(128);
  EXPECT_EQ(ttlOfSynHeader(v4), 128);
  std::string v6 = header({0x60}, 60);
  v6[7] = static_cast<char>(255);
  EXPECT_EQ(ttlOfSynHeader(v6), 255);
}

TEST(SavedSynTest, RefusesWhatIsNotAnIpHeader) {
  EXPECT_EQ(ttlOfSynHeader(""), std::nullopt);
  EXPECT_EQ(ttlOfSynHeader(header({0x45}, 19)), std::nullopt) << "cut IPv4 header";
  EXPECT_EQ(ttlOfSynHeader(header({0x60}, 39)), std::nullopt) << "cut IPv6 header";
  EXPECT_EQ(ttlOfSynHeader(header({0x50}, 60)), std::nullopt) << "version 5";
}

TEST(SavedSynTest, TheKernelKeepsTheSynOfAnAcceptedConnection) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  keepSynHeaders(listener);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);

  const int client = ::socket(AF_INET, SOCK_STREAM, 0);
  const int ttl = 77;  // as a host some hops away would arrive
  ASSERT_EQ(::setsockopt(client, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl), 0);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const int accepted = ::accept(listener, nullptr, nullptr);
  ASSERT_GE(accepted, 0);
  EXPECT_EQ(synTtl(accepted), 77);
  EXPECT_EQ(synTtl(accepted), std::nullopt) << "the kernel hands the SYN out once";
  ::close(accepted);
  ::close(client);
  ::close(listener);
}

}  // namespace
}  // namespace decnet::decoy
