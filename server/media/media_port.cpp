// MediaPort: sockets on their strands, demultiplexing to endpoints, and the any-thread send path.
#include "server/media/media_port.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <random>
#include <vector>

#include <boost/asio/post.hpp>

#include "ice/demux.hpp"

namespace medley::server::media {

base::Result<std::unique_ptr<MediaPort>, std::string> MediaPort::open(
    boost::asio::io_context& io, const std::vector<ice::TransportAddress>& addresses) {
  if (addresses.empty()) return std::string("no address to bind the media port to");
  std::unique_ptr<MediaPort> port(new MediaPort(io));
  uint16_t shared_port = 0;
  for (const auto& requested : addresses) {
    auto s = std::make_unique<Socket>(boost::asio::make_strand(io));
    ice::TransportAddress at = requested;
    // One port number on every address when possible: simpler firewall rules, as with Kurento's single port.
    if (at.port() == 0 && shared_port != 0) at.set_port(shared_port);
    auto udp = net::UdpSocket::bind(s->strand, at);
    if (!udp && at.port() != requested.port()) {
      at = requested;
      udp = net::UdpSocket::bind(s->strand, at);
    }
    if (!udp) return udp.error();
    s->udp = std::move(*udp);
    if (shared_port == 0) shared_port = s->udp->local_address().port();
    port->addresses_.push_back(s->udp->local_address());
    port->sockets_.push_back(std::move(s));
  }
  for (auto& s : port->sockets_) {
    Socket* raw = s.get();
    MediaPort* self = port.get();
    raw->udp->start([self, raw](std::span<const net::ReceivedDatagram> batch) { self->on_batch(*raw, batch); });
  }
  return port;
}

MediaPort::MediaPort(boost::asio::io_context& io) : io_(io) {
  // Tags must not be guessable from outside: a forged answer with a live tag costs its endpoint a parse.
  std::random_device rd;
  tag_state_ = (uint64_t{rd()} << 32) ^ rd();
}

MediaPort::~MediaPort() {
  for (auto& s : sockets_) s->udp->close();
}

template <class F>
void MediaPort::on_every_socket(F f) {
  for (auto& s : sockets_) {
    Socket* raw = s.get();
    boost::asio::post(raw->strand, [raw, f] { f(*raw); });
  }
}

net::EndpointId MediaPort::add_endpoint(std::weak_ptr<DatagramReceiver> receiver) {
  const net::EndpointId id = next_id_.fetch_add(1, std::memory_order_relaxed);
  endpoints_.fetch_add(1, std::memory_order_relaxed);
  on_every_socket([id, receiver](Socket& s) { s.receivers[id] = receiver; });
  return id;
}

uint32_t MediaPort::add_stun_tag(net::EndpointId endpoint) {
  uint32_t tag = 0;
  {
    std::lock_guard lock(tags_mutex_);
    do {
      uint64_t z = (tag_state_ += 0x9E3779B97F4A7C15ULL);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
      tag = static_cast<uint32_t>(z ^ (z >> 31));
    } while (tag == 0 || tags_.count(tag) != 0);
    tags_.emplace(tag, endpoint);
  }
  on_every_socket([tag, endpoint](Socket& s) { s.demux.add_tag(tag, endpoint); });
  return tag;
}

void MediaPort::add_ufrag(const std::string& ufrag, net::EndpointId endpoint) {
  on_every_socket([ufrag, endpoint](Socket& s) { s.demux.add_ufrag(ufrag, endpoint); });
}

void MediaPort::add_remote(const ice::TransportAddress& remote, net::EndpointId endpoint) {
  on_every_socket([remote, endpoint](Socket& s) { s.demux.add_remote(remote, endpoint); });
}

void MediaPort::remove_endpoint(net::EndpointId endpoint) {
  endpoints_.fetch_sub(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(tags_mutex_);
    std::erase_if(tags_, [endpoint](const auto& kv) { return kv.second == endpoint; });
  }
  on_every_socket([endpoint](Socket& s) {
    s.demux.remove_endpoint(endpoint);
    s.receivers.erase(endpoint);
  });
}

void MediaPort::on_batch(Socket& s, std::span<const net::ReceivedDatagram> batch) {
  for (const auto& d : batch) {
    const net::DemuxResult r = s.demux.route(d.from, d.bytes);
    if (!r.endpoint) {
      ++s.unrouted;
      unrouted_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    auto it = s.receivers.find(*r.endpoint);
    auto receiver = it == s.receivers.end() ? nullptr : it->second.lock();
    if (!receiver) {
      unrouted_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    // Addresses are claimed by the endpoint itself (add_remote) once its agent has authenticated a check from
    // there: an unauthenticated request naming a ufrag must not divert another endpoint's traffic.
    receiver->on_datagram(s.udp->local_address(), d.from, s.pool.copy_of(d.bytes));
  }
}

namespace {

// The datagrams queued by this thread's SendBatch scopes: bytes copied into one arena (a sink reuses its buffer
// for the next viewer at once), flushed per socket in order.
struct PendingSends {
  struct Item {
    net::UdpSocket* socket;
    ice::TransportAddress to;
    size_t offset;
    size_t size;
  };
  int depth = 0;
  std::vector<Item> items;
  std::vector<uint8_t> arena;

  void flush() {
    std::array<net::OutgoingDatagram, net::UdpSocket::kBatch> out;
    size_t i = 0;
    while (i < items.size()) {
      net::UdpSocket* socket = items[i].socket;
      size_t n = 0;
      while (i < items.size() && items[i].socket == socket && n < out.size()) {
        out[n++] = {items[i].to, base::Bytes(arena.data() + items[i].offset, items[i].size)};
        ++i;
      }
      socket->send(std::span<const net::OutgoingDatagram>(out.data(), n));
    }
    items.clear();
    arena.clear();
  }
};

thread_local PendingSends t_pending;

}  // namespace

SendBatch::SendBatch() { ++t_pending.depth; }

SendBatch::~SendBatch() {
  if (--t_pending.depth == 0 && !t_pending.items.empty()) t_pending.flush();
}

bool MediaPort::send(const ice::TransportAddress& local, const ice::TransportAddress& to, base::Bytes bytes) {
  net::UdpSocket* chosen = nullptr;
  for (auto& s : sockets_) {
    if (s->udp->local_address() == local) {
      chosen = s->udp.get();
      break;
    }
    if (!chosen && s->udp->local_address().is_ipv4() == to.is_ipv4()) chosen = s->udp.get();
  }
  if (!chosen) return false;
  if (t_pending.depth > 0) {
    if (t_pending.arena.capacity() == 0) t_pending.arena.reserve(net::UdpSocket::kBatch * 1500);
    t_pending.items.push_back({chosen, to, t_pending.arena.size(), bytes.size()});
    t_pending.arena.insert(t_pending.arena.end(), bytes.begin(), bytes.end());
    if (t_pending.items.size() == net::UdpSocket::kBatch) t_pending.flush();
    return true;
  }
  return chosen->send_one(to, bytes);
}

void MediaPort::close() {
  on_every_socket([](Socket& s) { s.udp->close(); });
}

MediaPortStats MediaPort::stats() const {
  MediaPortStats out;
  for (const auto& s : sockets_) {
    const auto st = s->udp->stats();
    out.datagrams_in += st.datagrams_in;
    out.datagrams_out += st.datagrams_out;
    out.send_errors += st.send_errors;
  }
  out.unrouted = unrouted_.load(std::memory_order_relaxed);
  return out;
}

size_t MediaPort::endpoint_count() const { return endpoints_.load(std::memory_order_relaxed); }

base::Result<std::vector<ice::TransportAddress>, std::string> host_addresses(
    const std::vector<std::string>& interfaces) {
  std::vector<ice::TransportAddress> out;
  std::vector<std::string> names;
  for (const auto& entry : interfaces) {
    if (auto literal = ice::TransportAddress::parse(entry, 0)) {
      out.push_back(*literal);
    } else {
      names.push_back(entry);
    }
  }
  if (!names.empty() || interfaces.empty()) {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return std::string("cannot list network interfaces: ") + std::strerror(errno);
    for (ifaddrs* i = list; i; i = i->ifa_next) {
      if (!i->ifa_addr || !(i->ifa_flags & IFF_UP)) continue;
      const bool named = std::find(names.begin(), names.end(), i->ifa_name) != names.end();
      if (!names.empty() && !named) continue;
      if (names.empty() && (i->ifa_flags & IFF_LOOPBACK)) continue;
      std::optional<ice::TransportAddress> a;
      if (i->ifa_addr->sa_family == AF_INET) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
        a = ice::TransportAddress::from_bytes(base::Bytes(reinterpret_cast<const uint8_t*>(&sin->sin_addr), 4), 0);
      } else if (i->ifa_addr->sa_family == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
        if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr)) continue;  // needs a scope id; browsers skip them too
        a = ice::TransportAddress::from_bytes(base::Bytes(reinterpret_cast<const uint8_t*>(&sin6->sin6_addr), 16), 0);
      }
      if (a && std::find(out.begin(), out.end(), *a) == out.end()) out.push_back(*a);
    }
    ::freeifaddrs(list);
  }
  if (out.empty()) {
    // A machine with only loopback (a container, CI): offer loopback rather than nothing.
    if (interfaces.empty()) return std::vector<ice::TransportAddress>{*ice::TransportAddress::parse("127.0.0.1", 0)};
    std::string all;
    for (const auto& n : interfaces) all += (all.empty() ? "" : ",") + n;
    return "networkInterfaces '" + all + "' match no usable address";
  }
  return out;
}

}  // namespace medley::server::media
