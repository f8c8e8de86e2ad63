// Tests for ice/candidate: priorities (RFC 8445 §5.1.2), foundations, address classes, the SDP string form with
// real browser candidates, and malformed input.
#include <gtest/gtest.h>

#include "ice/candidate.hpp"

namespace medley::ice {
namespace {

TransportAddress addr(const char* s) { return *TransportAddress::parse_with_port(s); }

TEST(CandidatePriority, RecommendedValues) {
  // RFC 8445 §5.1.2.1 with the recommended type preferences, component 1.
  EXPECT_EQ(candidate_priority(CandidateType::Host, 65535), 2130706431u);       // (126<<24)|(65535<<8)|255
  EXPECT_EQ(candidate_priority(CandidateType::PeerReflexive, 65535), 1862270975u);
  EXPECT_EQ(candidate_priority(CandidateType::ServerReflexive, 65535), 1694498815u);
  EXPECT_EQ(candidate_priority(CandidateType::Relayed, 65535), 16777215u);
  EXPECT_EQ(candidate_priority(CandidateType::Host, 0, 2), (126u << 24) | 254u);
  EXPECT_GT(candidate_priority(CandidateType::Host, 1), candidate_priority(CandidateType::PeerReflexive, 65535));
}

TEST(CandidateFoundation, SameForSameTypeBaseAndServerOnly) {
  auto f = candidate_foundation(CandidateType::Host, addr("10.0.0.1:4000"));
  EXPECT_EQ(f, candidate_foundation(CandidateType::Host, addr("10.0.0.1:5000")));  // the port does not matter
  EXPECT_NE(f, candidate_foundation(CandidateType::Host, addr("10.0.0.2:4000")));
  EXPECT_NE(f, candidate_foundation(CandidateType::ServerReflexive, addr("10.0.0.1:4000")));
  EXPECT_NE(candidate_foundation(CandidateType::ServerReflexive, addr("10.0.0.1:4000"), addr("1.1.1.1:3478")),
            candidate_foundation(CandidateType::ServerReflexive, addr("10.0.0.1:4000"), addr("8.8.8.8:3478")));
  EXPECT_LE(f.size(), 32u);
  for (char c : f) EXPECT_TRUE(c >= '0' && c <= '9');
}

TEST(CandidateAddress, Classes) {
  EXPECT_TRUE(is_loopback(addr("127.0.0.1:1")));
  EXPECT_TRUE(is_loopback(addr("127.8.0.1:1")));
  EXPECT_TRUE(is_loopback(addr("[::1]:1")));
  EXPECT_TRUE(is_loopback(addr("[::ffff:127.0.0.1]:1")));
  EXPECT_FALSE(is_loopback(addr("10.0.0.1:1")));
  EXPECT_FALSE(is_loopback(addr("[::2]:1")));
  EXPECT_TRUE(is_unspecified(addr("0.0.0.0:1")));
  EXPECT_TRUE(is_unspecified(addr("[::]:1")));
  EXPECT_FALSE(is_unspecified(addr("0.0.0.1:1")));
  EXPECT_TRUE(is_link_local(addr("[fe80::1]:1")));
  EXPECT_TRUE(is_link_local(addr("169.254.1.1:1")));
  EXPECT_FALSE(is_link_local(addr("[fec0::1]:1")));
}

TEST(CandidateParse, ChromeHost) {
  auto c = Candidate::parse(
      "candidate:3885250869 1 udp 2122260223 192.168.1.34 56143 typ host generation 0 ufrag EsAw network-id 1 "
      "network-cost 10");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->foundation, "3885250869");
  EXPECT_EQ(c->component, 1);
  EXPECT_EQ(c->transport, CandidateTransport::Udp);
  EXPECT_EQ(c->priority, 2122260223u);
  EXPECT_EQ(c->address, addr("192.168.1.34:56143"));
  EXPECT_FALSE(c->has_hostname());
  EXPECT_EQ(c->type, CandidateType::Host);
  EXPECT_EQ(c->generation, 0u);
  EXPECT_EQ(c->ufrag, "EsAw");
  EXPECT_EQ(c->to_string(),
            "candidate:3885250869 1 udp 2122260223 192.168.1.34 56143 typ host generation 0 ufrag EsAw");
}

TEST(CandidateParse, ChromeMdnsAndSrflx) {
  auto m = Candidate::parse(
      "a=candidate:2395300328 1 udp 2113937151 0a4f8b2c-5d3e-4a1b-9c7d-6e5f4a3b2c1d.local 61254 typ host generation "
      "0 ufrag Qq0B network-cost 999\r\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->hostname, "0a4f8b2c-5d3e-4a1b-9c7d-6e5f4a3b2c1d.local");
  EXPECT_EQ(m->address.port(), 61254);
  EXPECT_EQ(m->to_string(),
            "candidate:2395300328 1 udp 2113937151 0a4f8b2c-5d3e-4a1b-9c7d-6e5f4a3b2c1d.local 61254 typ host "
            "generation 0 ufrag Qq0B");

  auto s = Candidate::parse(
      "candidate:842163049 1 udp 1677729535 203.0.113.9 61254 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag "
      "Qq0B network-cost 999");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->type, CandidateType::ServerReflexive);
  ASSERT_TRUE(s->related);
  EXPECT_EQ(*s->related, addr("0.0.0.0:0"));
}

TEST(CandidateParse, FirefoxIpv6RelayAndTcp) {
  auto c = Candidate::parse("candidate:1 1 UDP 1686052863 2001:db8::5 51000 typ srflx raddr 2001:db8::6 rport 51001");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->address, addr("[2001:db8::5]:51000"));
  EXPECT_EQ(*c->related, addr("[2001:db8::6]:51001"));
  EXPECT_EQ(c->to_string(),
            "candidate:1 1 udp 1686052863 2001:db8::5 51000 typ srflx raddr 2001:db8::6 rport 51001");

  auto r = Candidate::parse("candidate:4 1 UDP 8265727 198.51.100.2 3478 typ relay raddr 10.0.0.1 rport 5000");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, CandidateType::Relayed);

  auto t = Candidate::parse("candidate:2 1 TCP 2105458943 10.0.0.1 9 typ host tcptype active");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->transport, CandidateTransport::Tcp);
  EXPECT_EQ(t->tcp_type, "active");
  EXPECT_EQ(t->to_string(), "candidate:2 1 tcp 2105458943 10.0.0.1 9 typ host tcptype active");
}

TEST(CandidateParse, RoundTripOfOurOwn) {
  Candidate c;
  c.foundation = "abc+/9";
  c.priority = candidate_priority(CandidateType::PeerReflexive, 100);
  c.address = addr("[2001:db8::7]:1234");
  c.type = CandidateType::PeerReflexive;
  c.related = addr("[2001:db8::8]:1235");
  c.generation = 3;
  c.ufrag = "u+/1";
  auto again = Candidate::parse(c.to_string());
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, c);
}

TEST(CandidateParse, Malformed) {
  using E = CandidateParseError;
  auto err = [](std::string_view s) {
    auto r = Candidate::parse(s);
    EXPECT_FALSE(r) << s;
    return r ? E::NotACandidate : r.error();
  };
  EXPECT_EQ(err(""), E::NotACandidate);
  EXPECT_EQ(err("candidate:"), E::NotACandidate);
  EXPECT_EQ(err("foo:1 1 udp 1 1.2.3.4 5 typ host"), E::NotACandidate);
  EXPECT_EQ(err("candidate:1 1 udp 1 1.2.3.4 5 typ"), E::MissingField);
  EXPECT_EQ(err("candidate:f-o 1 udp 1 1.2.3.4 5 typ host"), E::BadFoundation);
  EXPECT_EQ(err("candidate:123456789012345678901234567890123 1 udp 1 1.2.3.4 5 typ host"), E::BadFoundation);
  EXPECT_EQ(err("candidate:1 0 udp 1 1.2.3.4 5 typ host"), E::BadComponent);
  EXPECT_EQ(err("candidate:1 257 udp 1 1.2.3.4 5 typ host"), E::BadComponent);
  EXPECT_EQ(err("candidate:1 1 sctp 1 1.2.3.4 5 typ host"), E::BadTransport);
  EXPECT_EQ(err("candidate:1 1 udp 0 1.2.3.4 5 typ host"), E::BadPriority);
  EXPECT_EQ(err("candidate:1 1 udp 4294967296 1.2.3.4 5 typ host"), E::BadPriority);
  EXPECT_EQ(err("candidate:1 1 udp -1 1.2.3.4 5 typ host"), E::BadPriority);
  EXPECT_EQ(err("candidate:1 1 udp 1 1.2.3 5 typ host"), E::BadAddress);
  EXPECT_EQ(err("candidate:1 1 udp 1 fe80::1%eth0 5 typ host"), E::BadAddress);
  EXPECT_EQ(err("candidate:1 1 udp 1 bad_name.local 5 typ host"), E::BadAddress);
  EXPECT_EQ(err("candidate:1 1 udp 1 1.2.3.4 65536 typ host"), E::BadPort);
  EXPECT_EQ(err("candidate:1 1 udp 1 1.2.3.4 5 type host"), E::MissingTyp);
  EXPECT_EQ(err("candidate:1 1 udp 1 1.2.3.4 5 typ nat"), E::BadType);
  EXPECT_EQ(err("candidate:1 1 udp 1 1.2.3.4 5 typ host generation"), E::BadExtension);
  EXPECT_EQ(err("candidate:1 1 udp 1 1.2.3.4 5 typ host generation x"), E::BadExtension);
  EXPECT_EQ(err("candidate:1 1 udp 1 1.2.3.4 5 typ srflx raddr 1.2.3.4 rport 70000"), E::BadExtension);
  EXPECT_EQ(err("candidate:1 1 udp 1 1.2.3.4 5 typ host " + std::string(1100, 'x')), E::TooLong);
  EXPECT_FALSE(to_string(E::BadPort).empty());
}

}  // namespace
}  // namespace medley::ice
