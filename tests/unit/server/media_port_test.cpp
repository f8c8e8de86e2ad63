// MediaPort: the shared UDP port's routing (STUN by ufrag, then everything from that address), removal, sends, and
// the host address list from networkInterfaces.
#include "server/media/media_port.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>

namespace medley::server::media {
namespace {

struct Recorder : DatagramReceiver {
  std::mutex mu;
  std::vector<std::vector<uint8_t>> got;
  void on_datagram(const ice::TransportAddress&, const ice::TransportAddress&, base::BufferRef d) override {
    std::lock_guard lock(mu);
    got.emplace_back(d->data(), d->data() + d->size());
  }
  size_t count() {
    std::lock_guard lock(mu);
    return got.size();
  }
};

// A binding request with USERNAME "<local>:<remote>" (no integrity: the port only reads the ufrag).
std::vector<uint8_t> binding_request(const std::string& username) {
  std::vector<uint8_t> m = {0x00, 0x01, 0, 0, 0x21, 0x12, 0xA4, 0x42};
  for (int i = 0; i < 12; ++i) m.push_back(static_cast<uint8_t>(i + 1));
  const size_t padded = (username.size() + 3) & ~size_t{3};
  m.push_back(0x00);
  m.push_back(0x06);
  m.push_back(0);
  m.push_back(static_cast<uint8_t>(username.size()));
  m.insert(m.end(), username.begin(), username.end());
  m.resize(20 + 4 + padded, 0);
  m[3] = static_cast<uint8_t>(4 + padded);
  return m;
}

class MediaPortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = MediaPort::open(io_, {*ice::TransportAddress::parse("127.0.0.1", 0)});
    ASSERT_TRUE(p) << p.error();
    port_ = std::move(*p);
    auto peer = net::UdpSocket::bind(io_, *ice::TransportAddress::parse("127.0.0.1", 0));
    ASSERT_TRUE(peer);
    peer_ = std::move(*peer);
  }
  // Runs the io_context until cond holds or a second passes.
  template <class F>
  bool run_until(F cond) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (std::chrono::steady_clock::now() < end) {
      io_.restart();
      io_.run_for(std::chrono::milliseconds(5));
      if (cond()) return true;
    }
    return cond();
  }
  void send_from_peer(const std::vector<uint8_t>& bytes) {
    ASSERT_TRUE(peer_->send_one(port_->local_addresses().front(), base::Bytes(bytes.data(), bytes.size())));
  }

  boost::asio::io_context io_;
  std::unique_ptr<MediaPort> port_;
  std::unique_ptr<net::UdpSocket> peer_;
};

TEST_F(MediaPortTest, BindsAnEphemeralPortOnTheAddress) {
  ASSERT_EQ(port_->local_addresses().size(), 1u);
  EXPECT_EQ(port_->local_addresses()[0].ip_string(), "127.0.0.1");
  EXPECT_NE(port_->local_addresses()[0].port(), 0);
}

TEST_F(MediaPortTest, RoutesStunByUfragThenTheRestByAddress) {
  auto a = std::make_shared<Recorder>();
  auto b = std::make_shared<Recorder>();
  const auto ida = port_->add_endpoint(a);
  const auto idb = port_->add_endpoint(b);
  port_->add_ufrag("ufrA", ida);
  port_->add_ufrag("ufrB", idb);

  const std::vector<uint8_t> dtls = {22, 254, 253, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  send_from_peer(dtls);  // from an address nobody claimed yet: dropped and counted
  ASSERT_TRUE(run_until([&] { return port_->stats().unrouted == 1; }));

  send_from_peer(binding_request("ufrB:peer"));
  ASSERT_TRUE(run_until([&] { return b->count() == 1; }));
  // The request alone claims nothing (it is not authenticated yet): DTLS from there is still nobody's.
  send_from_peer(dtls);
  ASSERT_TRUE(run_until([&] { return port_->stats().unrouted == 2; }));
  port_->add_remote(peer_->local_address(), idb);  // what B's session does after its agent authenticated it
  send_from_peer(dtls);  // the same address now belongs to B
  ASSERT_TRUE(run_until([&] { return b->count() == 2; }));
  EXPECT_EQ(a->count(), 0u);
  EXPECT_EQ(b->got[1], dtls);

  send_from_peer(binding_request("nobody:peer"));
  ASSERT_TRUE(run_until([&] { return port_->stats().unrouted == 3; }));

  port_->remove_endpoint(idb);
  send_from_peer(dtls);
  ASSERT_TRUE(run_until([&] { return port_->stats().unrouted == 4; }));
  EXPECT_EQ(b->count(), 2u);
  EXPECT_EQ(port_->endpoint_count(), 1u);
}

TEST_F(MediaPortTest, AReleasedReceiverIsNotCalled) {
  auto a = std::make_shared<Recorder>();
  const auto id = port_->add_endpoint(a);
  port_->add_ufrag("ufrA", id);
  a.reset();  // the session is gone (its weak_ptr expires) before it left the port
  send_from_peer(binding_request("ufrA:peer"));
  EXPECT_TRUE(run_until([&] { return port_->stats().unrouted == 1; }));
}

TEST_F(MediaPortTest, SendsFromTheMatchingSocket) {
  const std::vector<uint8_t> bytes = {1, 2, 3};
  EXPECT_TRUE(port_->send(port_->local_addresses().front(), peer_->local_address(), base::Bytes(bytes.data(), 3)));
  std::vector<uint8_t> got;
  peer_->start([&](std::span<const net::ReceivedDatagram> batch) {
    for (const auto& d : batch) got.assign(d.bytes.begin(), d.bytes.end());
  });
  ASSERT_TRUE(run_until([&] { return !got.empty(); }));
  EXPECT_EQ(got, bytes);
  EXPECT_EQ(port_->stats().datagrams_out, 1u);
}

// A fan-out inside a SendBatch: nothing leaves until the scope ends (or 32 are queued), then everything does, in
// order, with the bytes as they were at send() (the sink reuses its buffer at once).
TEST_F(MediaPortTest, SendBatchQueuesUntilTheScopeEndsAndKeepsOrder) {
  std::vector<std::vector<uint8_t>> got;
  peer_->start([&](std::span<const net::ReceivedDatagram> batch) {
    for (const auto& d : batch) got.emplace_back(d.bytes.begin(), d.bytes.end());
  });
  const auto local = port_->local_addresses().front();
  {
    SendBatch batch;
    std::vector<uint8_t> buffer(3);
    for (uint8_t i = 0; i < 40; ++i) {
      buffer = {i, static_cast<uint8_t>(i + 1), static_cast<uint8_t>(i + 2)};
      EXPECT_TRUE(port_->send(local, peer_->local_address(), base::Bytes(buffer.data(), buffer.size())));
      if (i == 20) {
        SendBatch nested;  // nested scopes do not flush
      }
    }
    // 32 went out when the queue filled; the other 8 wait for the scope.
    ASSERT_TRUE(run_until([&] { return got.size() >= 32; }));
    EXPECT_EQ(got.size(), 32u);
  }
  ASSERT_TRUE(run_until([&] { return got.size() == 40; }));
  for (uint8_t i = 0; i < 40; ++i) {
    EXPECT_EQ(got[i], (std::vector<uint8_t>{i, static_cast<uint8_t>(i + 1), static_cast<uint8_t>(i + 2)}));
  }
  EXPECT_EQ(port_->stats().datagrams_out, 40u);
}

TEST(HostAddresses, LiteralsAndInterfaceNames) {
  auto lit = host_addresses({"127.0.0.1"});
  ASSERT_TRUE(lit);
  ASSERT_EQ(lit->size(), 1u);
  EXPECT_EQ(lit->front().ip_string(), "127.0.0.1");

  auto lo = host_addresses({"lo"});
  ASSERT_TRUE(lo) << lo.error();
  EXPECT_NE(std::find_if(lo->begin(), lo->end(), [](const auto& a) { return a.ip_string() == "127.0.0.1"; }),
            lo->end());

  auto none = host_addresses({"no-such-interface0"});
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().find("no-such-interface0"), std::string::npos);

  auto all = host_addresses({});
  ASSERT_TRUE(all);
  EXPECT_FALSE(all->empty());
}

}  // namespace
}  // namespace medley::server::media
