// Batched UDP I/O: recvmmsg/sendmmsg on a non-blocking socket driven by asio readiness waits.
#include "server/net/udp_socket.hpp"

#include <netinet/in.h>
#include <sys/uio.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace medley::server::net {

socklen_t to_sockaddr(const ice::TransportAddress& a, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof(out));
  if (a.is_ipv4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(a.port());
    std::memcpy(&sin->sin_addr, a.address().data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(a.port());
  std::memcpy(&sin6->sin6_addr, a.address().data(), 16);
  return sizeof(sockaddr_in6);
}

std::optional<ice::TransportAddress> from_sockaddr(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&ss);
    std::array<uint8_t, 4> ip{};
    std::memcpy(ip.data(), &sin->sin_addr, 4);
    return ice::TransportAddress::ipv4(ip, ntohs(sin->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    std::array<uint8_t, 16> ip{};
    std::memcpy(ip.data(), &sin6->sin6_addr, 16);
    return ice::TransportAddress::ipv6(ip, ntohs(sin6->sin6_port));
  }
  return std::nullopt;
}

base::Result<std::unique_ptr<UdpSocket>, std::string> UdpSocket::bind(boost::asio::io_context& io,
                                                                       const ice::TransportAddress& local) {
  return bind(io.get_executor(), local);
}

base::Result<std::unique_ptr<UdpSocket>, std::string> UdpSocket::bind(const boost::asio::any_io_executor& io,
                                                                       const ice::TransportAddress& local) {
  namespace ip = boost::asio::ip;
  boost::system::error_code ec;
  ip::address addr;
  if (local.is_ipv4()) {
    ip::address_v4::bytes_type b{};
    std::memcpy(b.data(), local.address().data(), 4);
    addr = ip::address_v4(b);
  } else {
    ip::address_v6::bytes_type b{};
    std::memcpy(b.data(), local.address().data(), 16);
    addr = ip::address_v6(b);
  }
  ip::udp::socket socket(io);
  const ip::udp::endpoint endpoint(addr, local.port());
  socket.open(endpoint.protocol(), ec);
  if (!ec) socket.bind(endpoint, ec);
  if (!ec) socket.non_blocking(true, ec);
  if (ec) return std::string("cannot bind UDP ") + local.to_string() + ": " + ec.message();
  const ip::udp::endpoint bound = socket.local_endpoint(ec);
  ice::TransportAddress actual = local;
  actual.set_port(bound.port());
  return std::unique_ptr<UdpSocket>(new UdpSocket(std::move(socket), actual));
}

UdpSocket::UdpSocket(boost::asio::ip::udp::socket socket, ice::TransportAddress local)
    : socket_(std::move(socket)), local_(local), storage_(kBatch * kMaxDatagram), addrs_(kBatch) {
  received_.reserve(kBatch);
}

UdpSocket::~UdpSocket() { close(); }

UdpSocket::Stats UdpSocket::stats() const {
  Stats s = stats_;
  s.datagrams_out = datagrams_out_.load(std::memory_order_relaxed);
  s.send_errors = send_errors_.load(std::memory_order_relaxed);
  return s;
}

void UdpSocket::start(Handler handler) {
  handler_ = std::move(handler);
  arm();
}

void UdpSocket::arm() {
  if (!alive_) return;
  std::weak_ptr<bool> alive = alive_;
  socket_.async_wait(boost::asio::ip::udp::socket::wait_read, [this, alive](const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;  // closed or destroyed
    drain();
    arm();
  });
}

void UdpSocket::drain() {
  std::array<mmsghdr, kBatch> msgs{};
  std::array<iovec, kBatch> iovs{};
  for (;;) {
    for (size_t i = 0; i < kBatch; ++i) {
      iovs[i] = {storage_.data() + i * kMaxDatagram, kMaxDatagram};
      msgs[i].msg_hdr = {};
      msgs[i].msg_hdr.msg_iov = &iovs[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_name = &addrs_[i];
      msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    }
    const int n = ::recvmmsg(socket_.native_handle(), msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) return;  // EAGAIN: drained (errors such as ICMP-induced ECONNREFUSED are skipped the same way)
    received_.clear();
    for (int i = 0; i < n; ++i) {
      if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
        ++stats_.truncated;
        continue;
      }
      auto from = from_sockaddr(addrs_[i]);
      if (!from) continue;
      received_.push_back({*from, base::Bytes(storage_.data() + i * kMaxDatagram, msgs[i].msg_len)});
    }
    stats_.datagrams_in += received_.size();
    ++stats_.receive_batches;
    if (!received_.empty() && handler_) handler_(received_);
    if (static_cast<size_t>(n) < kBatch) return;
  }
}

size_t UdpSocket::send(std::span<const OutgoingDatagram> datagrams) {
  size_t sent = 0;  // handled (sent or dropped)
  size_t delivered = 0;
  std::array<mmsghdr, kBatch> msgs{};
  std::array<iovec, kBatch> iovs{};
  std::array<sockaddr_storage, kBatch> addrs{};
  while (sent < datagrams.size()) {
    const size_t count = std::min(kBatch, datagrams.size() - sent);
    for (size_t i = 0; i < count; ++i) {
      const OutgoingDatagram& d = datagrams[sent + i];
      iovs[i] = {const_cast<uint8_t*>(d.bytes.data()), d.bytes.size()};
      msgs[i].msg_hdr = {};
      msgs[i].msg_hdr.msg_iov = &iovs[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_namelen = to_sockaddr(d.to, addrs[i]);
      msgs[i].msg_hdr.msg_name = &addrs[i];
    }
    const int n = ::sendmmsg(socket_.native_handle(), msgs.data(), static_cast<unsigned>(count), MSG_DONTWAIT);
    if (n <= 0) {
      // A full socket buffer or an unreachable peer: the datagram is dropped, as UDP would, and counted.
      send_errors_.fetch_add(1, std::memory_order_relaxed);
      ++sent;
      continue;
    }
    sent += static_cast<size_t>(n);
    delivered += static_cast<size_t>(n);
    datagrams_out_.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
  }
  return delivered;
}

bool UdpSocket::send_one(const ice::TransportAddress& to, base::Bytes bytes) {
  // One datagram: sendto, without sendmmsg's batch arrays to fill.
  sockaddr_storage addr;
  const socklen_t len = to_sockaddr(to, addr);
  if (::sendto(socket_.native_handle(), bytes.data(), bytes.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&addr),
               len) < 0) {
    send_errors_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  datagrams_out_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void UdpSocket::close() {
  alive_.reset();  // a wait already queued on the io_context sees the expired flag and never touches `this`
  boost::system::error_code ec;
  socket_.close(ec);
}

}  // namespace medley::server::net
