// Tests for batched UDP I/O on loopback: batches go out in one call and every datagram arrives with its source.
#include "server/net/udp_socket.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <vector>

using namespace medley;
using namespace medley::server::net;

TEST(UdpSocket, BatchSendAndReceiveOnLoopback) {
  boost::asio::io_context io;
  auto any = *ice::TransportAddress::parse("127.0.0.1", 0);
  auto a = UdpSocket::bind(io, any);
  auto b = UdpSocket::bind(io, any);
  ASSERT_TRUE(a) << a.error();
  ASSERT_TRUE(b) << b.error();
  ASSERT_NE((*b)->local_address().port(), 0);

  std::vector<std::vector<uint8_t>> got;
  std::vector<ice::TransportAddress> from;
  (*b)->start([&](std::span<const ReceivedDatagram> batch) {
    for (const auto& d : batch) {
      got.emplace_back(d.bytes.begin(), d.bytes.end());
      from.push_back(d.from);
    }
  });

  std::vector<std::vector<uint8_t>> payloads;
  std::vector<OutgoingDatagram> out;
  for (int i = 0; i < 100; ++i) payloads.push_back(std::vector<uint8_t>(100 + i, static_cast<uint8_t>(i)));
  for (const auto& p : payloads) out.push_back({(*b)->local_address(), p});
  EXPECT_EQ((*a)->send(out), 100u);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (got.size() < 100 && std::chrono::steady_clock::now() < deadline) io.run_for(std::chrono::milliseconds(10));
  ASSERT_EQ(got.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(got[i], payloads[i]) << i;  // loopback keeps order
  EXPECT_EQ(from.front(), (*a)->local_address());
  EXPECT_LE((*b)->stats().receive_batches, 100u);
  EXPECT_GE((*b)->stats().datagrams_in, 100u);
}

TEST(UdpSocket, BindErrorNamesTheAddress) {
  boost::asio::io_context io;
  auto a = UdpSocket::bind(io, *ice::TransportAddress::parse("127.0.0.1", 0));
  ASSERT_TRUE(a);
  auto taken = UdpSocket::bind(io, (*a)->local_address());
  ASSERT_FALSE(taken);
  EXPECT_NE(taken.error().find((*a)->local_address().to_string()), std::string::npos) << taken.error();
}

TEST(UdpSocket, CloseStopsReceivingSafely) {
  boost::asio::io_context io;
  auto a = UdpSocket::bind(io, *ice::TransportAddress::parse("127.0.0.1", 0));
  auto b = UdpSocket::bind(io, *ice::TransportAddress::parse("127.0.0.1", 0));
  int calls = 0;
  (*b)->start([&](std::span<const ReceivedDatagram>) { ++calls; });
  (*b)->close();
  b->reset();  // destroyed with its wait still queued
  const std::vector<uint8_t> x{1};
  (*a)->send_one(*ice::TransportAddress::parse("127.0.0.1", 9), x);
  io.run_for(std::chrono::milliseconds(50));
  EXPECT_EQ(calls, 0);
}
