// TransportAddress: parsing and formatting IPv4/IPv6 with ports, equality and hashing.
#include <gtest/gtest.h>

#include <unordered_set>

#include "ice/transport_address.hpp"

namespace medley::ice {
namespace {

TEST(TransportAddress, ParseIpv4) {
  const auto a = TransportAddress::parse("192.0.2.1", 32853);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->is_ipv4());
  EXPECT_EQ(a->family(), AddressFamily::Ipv4);
  EXPECT_EQ(a->port(), 32853);
  ASSERT_EQ(a->address().size(), 4u);
  EXPECT_EQ(a->address()[0], 192);
  EXPECT_EQ(a->address()[3], 1);
  EXPECT_EQ(a->ip_string(), "192.0.2.1");
  EXPECT_EQ(a->to_string(), "192.0.2.1:32853");
  EXPECT_EQ(*a, TransportAddress::ipv4({192, 0, 2, 1}, 32853));
}

TEST(TransportAddress, ParseIpv6) {
  const auto a = TransportAddress::parse("::1", 9);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->is_ipv6());
  EXPECT_EQ(a->address().size(), 16u);
  EXPECT_EQ(a->address()[15], 1);
  EXPECT_EQ(a->to_string(), "[::1]:9");
  const auto b = TransportAddress::parse("2001:DB8:0:0::42", 1);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->ip_string(), "2001:db8::42");  // canonical form
}

TEST(TransportAddress, ParseWithPort) {
  EXPECT_EQ(TransportAddress::parse_with_port("10.1.2.3:5000")->to_string(), "10.1.2.3:5000");
  EXPECT_EQ(TransportAddress::parse_with_port("[fd00::2]:53075")->to_string(), "[fd00::2]:53075");
  EXPECT_EQ(TransportAddress::parse_with_port("[fd00::2]:0")->port(), 0);
  EXPECT_EQ(TransportAddress::parse_with_port("1.2.3.4:65535")->port(), 65535);
  for (const char* bad : {"", "1.2.3.4", "1.2.3.4:", "1.2.3.4:65536", "1.2.3.4:-1", "1.2.3.4:5x", "fd00::2:5",
                          "[fd00::2]", "[fd00::2]5", "[1.2.3.4]:5", "[::1:5", "host:5", "1.2.3:5", ":5"}) {
    EXPECT_FALSE(TransportAddress::parse_with_port(bad)) << bad;
  }
}

TEST(TransportAddress, ParseRejects) {
  for (const char* bad : {"", "1.2.3.4.5", "256.0.0.1", "::g", "1.2.3.4 ", " ::1", "fe80::1%eth0", "localhost",
                          "01234567890123456789012345678901234567890123456789"}) {
    EXPECT_FALSE(TransportAddress::parse(bad, 1)) << bad;
  }
}

TEST(TransportAddress, FromBytes) {
  const uint8_t v4[4] = {127, 0, 0, 1};
  EXPECT_EQ(TransportAddress::from_bytes(v4, 80)->to_string(), "127.0.0.1:80");
  const uint8_t v6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  EXPECT_EQ(TransportAddress::from_bytes(v6, 80)->to_string(), "[fd00::2]:80");
  EXPECT_FALSE(TransportAddress::from_bytes(base::Bytes(v6, 5), 80));
}

TEST(TransportAddress, EqualityAndHash) {
  const auto a = *TransportAddress::parse("10.0.0.1", 1);
  auto b = a;
  EXPECT_EQ(a, b);
  b.set_port(2);
  EXPECT_NE(a, b);
  EXPECT_LT(a, b);
  // The same bytes as IPv4 and as IPv6 are different addresses.
  const uint8_t raw[16] = {10, 0, 0, 1};
  EXPECT_NE(a, *TransportAddress::from_bytes(raw, 1));
  std::unordered_set<TransportAddress, TransportAddressHash> set = {a, b, *TransportAddress::parse("::1", 1)};
  EXPECT_EQ(set.size(), 3u);
  EXPECT_TRUE(set.count(*TransportAddress::parse("10.0.0.1", 1)));
  EXPECT_EQ(TransportAddress().to_string(), "0.0.0.0:0");
}

}  // namespace
}  // namespace medley::ice
