// Tests for the shared-port demux: STUN requests by local ufrag, everything else by validated remote address.
#include "server/net/udp_demux.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "ice/stun_integrity.hpp"
#include "ice/stun_writer.hpp"

using namespace medley;
using namespace medley::server::net;

namespace {
std::vector<uint8_t> binding_request(std::string_view username) {
  std::array<uint8_t, 512> buf{};
  ice::StunTransactionId txid{};
  txid.fill(7);
  ice::StunBindingRequestParams p;
  p.username = username;
  p.priority = 1;
  auto key = ice::StunIntegrityKey::short_term("remotepassword-remotepassword");
  auto msg = ice::write_binding_request(buf, txid, p, key);
  EXPECT_TRUE(msg);
  return {msg->begin(), msg->end()};
}
const ice::TransportAddress kAlice = *ice::TransportAddress::parse("10.0.0.1", 5000);
const ice::TransportAddress kBob = *ice::TransportAddress::parse("10.0.0.2", 6000);
const std::vector<uint8_t> kRtp = {0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xaa};
const std::vector<uint8_t> kDtls = {22, 0xfe, 0xfd, 0, 0};
}  // namespace

TEST(UdpDemux, StunRequestsGoByLocalUfrag) {
  UdpDemux d;
  d.add_ufrag("ep1u", 1);
  d.add_ufrag("ep2u", 2);
  // USERNAME is "<receiver's ufrag>:<sender's ufrag>": ours comes first.
  EXPECT_EQ(d.route(kAlice, binding_request("ep2u:peer")).endpoint, 2u);
  EXPECT_EQ(d.route(kBob, binding_request("ep1u:other")).endpoint, 1u);
  auto miss = d.route(kAlice, binding_request("nobody:peer"));
  EXPECT_FALSE(miss.endpoint);
  EXPECT_EQ(miss.miss, DemuxMiss::UnknownUfrag);
}

// STUN answers go by the tag at the front of their transaction id (our agents' requests carry their endpoint's),
// whatever address they come from: a peer not validated yet (its check raced ours), a STUN server, or a validated
// peer whose address another endpoint claimed. Unknown tags are misses; requests without USERNAME stay misses.
TEST(UdpDemux, StunAnswersGoByTransactionTag) {
  UdpDemux d;
  std::array<uint8_t, 256> buf{};
  ice::StunTransactionId txid{};
  txid.fill(9);
  txid[0] = 0xC0;
  txid[1] = 0xFF;
  txid[2] = 0xEE;
  txid[3] = 0x11;
  auto key = ice::StunIntegrityKey::short_term("remotepassword-remotepassword");
  auto ok = ice::write_binding_success(buf, txid, kAlice, key);
  ASSERT_TRUE(ok);
  const std::vector<uint8_t> answer(ok->begin(), ok->end());
  auto miss = d.route(kAlice, answer);
  EXPECT_FALSE(miss.endpoint);
  EXPECT_EQ(miss.miss, DemuxMiss::UnknownTag);
  d.add_tag(0xC0FFEE11, 5);
  EXPECT_EQ(d.route(kAlice, answer).endpoint, 5u);
  d.add_remote(kAlice, 7);  // an address claimed by another endpoint does not take its answers
  EXPECT_EQ(d.route(kAlice, answer).endpoint, 5u);
  EXPECT_EQ(d.route(kBob, binding_request("")).miss, DemuxMiss::NoUsername);
  d.remove_endpoint(5);
  EXPECT_EQ(d.route(kAlice, answer).miss, DemuxMiss::UnknownTag);
}

TEST(UdpDemux, MediaGoesByValidatedAddress) {
  UdpDemux d;
  EXPECT_EQ(d.route(kAlice, kRtp).miss, DemuxMiss::UnknownAddress);
  d.add_remote(kAlice, 1);
  d.add_remote(kBob, 2);
  EXPECT_EQ(d.route(kAlice, kRtp).endpoint, 1u);
  EXPECT_EQ(d.route(kBob, kDtls).endpoint, 2u);
  d.add_remote(kAlice, 3);  // latest claim wins (the peer moved to another endpoint after a restart)
  EXPECT_EQ(d.route(kAlice, kRtp).endpoint, 3u);
  d.remove_remote(kAlice);
  EXPECT_FALSE(d.route(kAlice, kRtp).endpoint);
  // Same IP, other port: another 5-tuple.
  EXPECT_FALSE(d.route(*ice::TransportAddress::parse("10.0.0.2", 6001), kRtp).endpoint);
}

TEST(UdpDemux, RemoveEndpointForgetsAll) {
  UdpDemux d;
  d.add_ufrag("ep1u", 1);
  d.add_remote(kAlice, 1);
  d.add_remote(kBob, 2);
  d.remove_endpoint(1);
  EXPECT_EQ(d.ufrag_count(), 0u);
  EXPECT_EQ(d.remote_count(), 1u);
  EXPECT_FALSE(d.route(kAlice, kRtp).endpoint);
}

TEST(UdpDemux, GarbageIsAMissNotACrash) {
  UdpDemux d;
  d.add_ufrag("ep1u", 1);
  EXPECT_EQ(d.route(kAlice, std::vector<uint8_t>{}).miss, DemuxMiss::Malformed);
  EXPECT_EQ(d.route(kAlice, std::vector<uint8_t>{0xff, 0xff}).miss, DemuxMiss::Malformed);
  const std::vector<uint8_t> truncated_stun = {0x00, 0x01, 0x00, 0x08, 0x21, 0x12};
  EXPECT_FALSE(d.route(kAlice, truncated_stun).endpoint);
  EXPECT_FALSE(stun_local_ufrag(truncated_stun));
  EXPECT_FALSE(stun_local_ufrag(binding_request(":x")));  // empty local ufrag
}
