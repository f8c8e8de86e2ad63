// A UDP socket on the server's io_context that receives and sends in batches (recvmmsg/sendmmsg, Linux).
#pragma once

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ice/transport_address.hpp"
#include "rtp/base/bytes.hpp"
#include "rtp/base/result.hpp"

namespace medley::server::net {

struct ReceivedDatagram {
  ice::TransportAddress from;
  base::Bytes bytes;  // valid only during the handler call
};

struct OutgoingDatagram {
  ice::TransportAddress to;
  base::Bytes bytes;
};

class UdpSocket {
 public:
  static constexpr size_t kBatch = 32;          // datagrams per recvmmsg
  static constexpr size_t kMaxDatagram = 2048;  // larger ones are truncated (and counted): no WebRTC packet is

  struct Stats {
    uint64_t datagrams_in = 0;
    uint64_t datagrams_out = 0;
    uint64_t receive_batches = 0;
    uint64_t truncated = 0;
    uint64_t send_errors = 0;
  };

  using Handler = std::function<void(std::span<const ReceivedDatagram>)>;

  // Binds to `local` (port 0: an ephemeral port); the error names the address and the reason.
  static base::Result<std::unique_ptr<UdpSocket>, std::string> bind(boost::asio::io_context& io,
                                                                    const ice::TransportAddress& local);
  // The same, with the receive handler run on `executor` (a strand: the owner's state needs no lock).
  static base::Result<std::unique_ptr<UdpSocket>, std::string> bind(const boost::asio::any_io_executor& executor,
                                                                    const ice::TransportAddress& local);
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  const ice::TransportAddress& local_address() const { return local_; }

  // Receives until close(): each readiness drains the socket in batches of up to kBatch and calls the handler
  // once per batch, on the io_context thread that ran the wait (the owner wraps it in a strand if it needs one).
  void start(Handler handler);
  // Sends in as few syscalls as sendmmsg allows; returns how many went out. Any thread (the kernel serialises;
  // the send counters are atomic), so every pipeline strand sends on the shared socket directly.
  size_t send(std::span<const OutgoingDatagram> datagrams);
  bool send_one(const ice::TransportAddress& to, base::Bytes bytes);
  void close();

  Stats stats() const;

 private:
  UdpSocket(boost::asio::ip::udp::socket socket, ice::TransportAddress local);
  void arm();
  void drain();

  boost::asio::ip::udp::socket socket_;
  ice::TransportAddress local_;
  Handler handler_;
  Stats stats_;  // receive side: only the receive handler's thread writes it
  std::atomic<uint64_t> datagrams_out_{0};
  std::atomic<uint64_t> send_errors_{0};
  // Receive buffers, reused for every batch: the steady state allocates nothing.
  std::vector<uint8_t> storage_;
  std::vector<sockaddr_storage> addrs_;
  std::vector<ReceivedDatagram> received_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Conversions between the socket API's addresses and ours.
socklen_t to_sockaddr(const ice::TransportAddress& a, sockaddr_storage& out);
std::optional<ice::TransportAddress> from_sockaddr(const sockaddr_storage& ss);

}  // namespace medley::server::net
