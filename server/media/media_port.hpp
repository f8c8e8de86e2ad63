// MediaPort: the UDP port every WebRtcEndpoint shares (DESIGN.md "One socket"): one socket per host address, each
// with its own strand and UdpDemux, routing datagrams to the endpoint that owns them; and the send path any
// pipeline strand uses directly.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include "ice/transport_address.hpp"
#include "rtp/base/buffer.hpp"
#include "rtp/base/result.hpp"
#include "server/net/udp_demux.hpp"
#include "server/net/udp_socket.hpp"

namespace medley::server::media {

// Whoever owns datagrams on the port (a WebRtcEndpoint's session). Called on the socket's strand with a pooled
// copy of the datagram: it posts the work to its own strand and returns at once.
class DatagramReceiver {
 public:
  virtual ~DatagramReceiver() = default;
  virtual void on_datagram(const ice::TransportAddress& local, const ice::TransportAddress& from,
                           base::BufferRef datagram) = 0;
};

struct MediaPortStats {
  uint64_t datagrams_in = 0;
  uint64_t datagrams_out = 0;
  uint64_t unrouted = 0;  // no endpoint claimed it (stale, scanning, or before the endpoint knew the address)
  uint64_t send_errors = 0;
};

// Collects every MediaPort::send made on this thread while it lives and sends them with sendmmsg when the
// outermost one ends (or every 32 datagrams): one packet fanned out to N viewers is then N/32 system calls instead
// of N. Scopes nest. Only for code that finishes its sends before returning to the event loop (a strand handler).
class SendBatch {
 public:
  SendBatch();
  ~SendBatch();
  SendBatch(const SendBatch&) = delete;
  SendBatch& operator=(const SendBatch&) = delete;
};

class MediaPort {
 public:
  // Binds one socket per address (port 0 takes an ephemeral port, the same number reused on the other addresses
  // when free). The error names the address that failed.
  static base::Result<std::unique_ptr<MediaPort>, std::string> open(boost::asio::io_context& io,
                                                                    const std::vector<ice::TransportAddress>& addresses);
  ~MediaPort();
  MediaPort(const MediaPort&) = delete;
  MediaPort& operator=(const MediaPort&) = delete;

  // The addresses the sockets are bound to: the host candidates every endpoint announces.
  const std::vector<ice::TransportAddress>& local_addresses() const { return addresses_; }

  // Registration, from any thread; takes effect on each socket's strand in call order.
  net::EndpointId add_endpoint(std::weak_ptr<DatagramReceiver> receiver);
  // A random 32-bit tag, unique among live endpoints, for the front of the endpoint's STUN transaction ids
  // (IceAgentConfig::transaction_tag): answers to its checks are routed by it (the demux), whatever address they
  // come from. Forgotten with remove_endpoint().
  uint32_t add_stun_tag(net::EndpointId endpoint);
  void add_ufrag(const std::string& ufrag, net::EndpointId endpoint);
  void add_remote(const ice::TransportAddress& remote, net::EndpointId endpoint);
  void remove_endpoint(net::EndpointId endpoint);

  // Sends from the socket bound to `local` (any if none matches). Any thread. Inside a SendBatch on this thread
  // the datagram is copied and queued (true means queued), and leaves with the batch.
  bool send(const ice::TransportAddress& local, const ice::TransportAddress& to, base::Bytes bytes);

  // Stops receiving (at shutdown, so the io_context runs out of work); the sockets close on their strands.
  void close();

  MediaPortStats stats() const;
  size_t endpoint_count() const;

 private:
  struct Socket {
    explicit Socket(boost::asio::strand<boost::asio::io_context::executor_type> s) : strand(std::move(s)) {}
    std::unique_ptr<net::UdpSocket> udp;
    boost::asio::strand<boost::asio::io_context::executor_type> strand;
    // Strand-only state.
    net::UdpDemux demux;
    std::unordered_map<net::EndpointId, std::weak_ptr<DatagramReceiver>> receivers;
    base::BufferPool pool;  // datagram copies handed to the endpoints; outlives them (the port lives as long as the process)
    uint64_t unrouted = 0;
  };

  explicit MediaPort(boost::asio::io_context& io);
  void on_batch(Socket& s, std::span<const net::ReceivedDatagram> batch);
  template <class F>
  void on_every_socket(F f);

  boost::asio::io_context& io_;
  std::vector<std::unique_ptr<Socket>> sockets_;
  std::vector<ice::TransportAddress> addresses_;
  std::atomic<net::EndpointId> next_id_{1};
  std::mutex tags_mutex_;
  std::unordered_map<uint32_t, net::EndpointId> tags_;  // live tags (uniqueness), under tags_mutex_
  uint64_t tag_state_;                                   // splitmix64, under tags_mutex_
  std::atomic<size_t> endpoints_{0};
  std::atomic<uint64_t> unrouted_{0};
};

// The host addresses medley offers: the IPv4 (and global IPv6) addresses of the interfaces named (all up,
// non-loopback ones when the list is empty; loopback only when asked for by name, e.g. "lo", or as an address).
// An entry may also be a literal address. Never empty on success.
base::Result<std::vector<ice::TransportAddress>, std::string> host_addresses(
    const std::vector<std::string>& interfaces);

}  // namespace medley::server::media
