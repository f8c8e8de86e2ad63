// IceAgent, part one: configuration, candidates (local, remote, mDNS), incoming requests (RFC 8445 §7.3), restart
// and the state Kurento sees. Part two (checks, responses, timers): ice_agent_checks.cpp.
#include "ice/ice_agent.hpp"

#include <algorithm>
#include <utility>

#include "ice/stun_writer.hpp"

namespace medley::ice {
namespace {

constexpr size_t kMaxHosts = 16;
constexpr size_t kMaxCredentialLength = 256;

bool ends_with_local(std::string_view name) {
  constexpr std::string_view kSuffix = ".local";
  if (name.size() <= kSuffix.size()) return false;
  std::string_view tail = name.substr(name.size() - kSuffix.size());
  for (size_t i = 0; i < tail.size(); ++i) {
    char c = tail[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kSuffix[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(IceRole r) { return r == IceRole::Controlling ? "controlling" : "controlled"; }

std::string_view to_string(IceState s) {
  switch (s) {
    case IceState::Disconnected: return "DISCONNECTED";
    case IceState::Gathering: return "GATHERING";
    case IceState::Connecting: return "CONNECTING";
    case IceState::Connected: return "CONNECTED";
    case IceState::Ready: return "READY";
    case IceState::Failed: return "FAILED";
  }
  return "?";
}

std::string_view to_string(IceDropReason r) {
  switch (r) {
    case IceDropReason::Malformed: return "malformed STUN";
    case IceDropReason::NotBinding: return "not a Binding message";
    case IceDropReason::BadFingerprint: return "bad FINGERPRINT";
    case IceDropReason::BadRequest: return "bad request (400)";
    case IceDropReason::Unauthorized: return "unauthorized (401)";
    case IceDropReason::UnknownAttributes: return "unknown comprehension-required attributes (420)";
    case IceDropReason::RoleConflict: return "role conflict (487)";
    case IceDropReason::UnknownTransaction: return "response to an unknown transaction";
    case IceDropReason::BadResponseIntegrity: return "response MESSAGE-INTEGRITY mismatch";
    case IceDropReason::WrongResponseSource: return "response from an unexpected address";
    case IceDropReason::UnknownLocalAddress: return "request on an address that is not a host candidate";
    case IceDropReason::kCount: break;
  }
  return "?";
}

IceRole role_for(bool we_offer, bool peer_is_lite) {
  if (peer_is_lite) return IceRole::Controlling;
  return we_offer ? IceRole::Controlling : IceRole::Controlled;
}

IceAgent::IceAgent(IceAgentConfig config)
    : config_(std::move(config)),
      random_(config_.random_seed),
      local_(config_.local),
      local_key_(StunIntegrityKey::short_term(local_.pwd)),
      role_(config_.role),
      checklist_(config_.max_pairs) {
  for (const auto& a : config_.host_addresses) {
    if (locals_.size() >= kMaxHosts) break;
    if (a.port() == 0 || is_unspecified(a) || (a.is_ipv6() && is_link_local(a))) continue;
    if (is_loopback(a) && !config_.allow_loopback) continue;
    bool dup = std::any_of(locals_.begin(), locals_.end(), [&](const LocalCandidate& l) { return l.base == a; });
    if (dup) continue;
    LocalCandidate l;
    l.base = a;
    l.candidate.foundation = candidate_foundation(CandidateType::Host, a);
    l.candidate.priority = candidate_priority(CandidateType::Host, static_cast<uint16_t>(65535 - locals_.size()));
    l.candidate.address = a;
    l.candidate.type = CandidateType::Host;
    locals_.push_back(std::move(l));
  }
  hosts_ = locals_.size();
}

Candidate IceAgent::local_announcement(const LocalCandidate& l) const {
  Candidate c = l.candidate;
  c.generation = 0;
  c.ufrag = local_.ufrag;
  return c;
}

void IceAgent::start(base::Timestamp now, IceOutput& out) {
  if (started_) return;
  started_ = true;
  next_check_at_ = now;
  last_remote_change_at_ = now;
  update_state(out);
  for (size_t i = 0; i < hosts_; ++i) out.events.push(CandidateGathered{local_announcement(locals_[i])});
  if (config_.stun_server) {
    for (size_t i = 0; i < hosts_; ++i) {
      if (locals_[i].base.family() == config_.stun_server->family()) send_gather(now, i, out);
    }
  }
  finish_gathering_if_done(out);
}

void IceAgent::finish_gathering_if_done(IceOutput& out) {
  if (gathering_done_ || !started_) return;
  bool pending = std::any_of(transactions_.begin(), transactions_.end(),
                             [](const Transaction& t) { return t.kind == Transaction::Kind::Gather; });
  if (pending) return;
  gathering_done_ = true;
  out.events.push(GatheringDone{});
}

void IceAgent::set_remote_credentials(std::string ufrag, std::string pwd) {
  if (ufrag.size() > kMaxCredentialLength || pwd.size() > kMaxCredentialLength) return;
  remote_ufrag_ = std::move(ufrag);
  remote_pwd_ = std::move(pwd);
  remote_key_ = StunIntegrityKey::short_term(remote_pwd_);
}

AddCandidateResult IceAgent::reject(const std::string& what, std::string reason, IceOutput& out) {
  ++stats_.candidates_rejected;
  out.events.push(RemoteCandidateRejected{what, std::move(reason)});
  return AddCandidateResult::Rejected;
}

AddCandidateResult IceAgent::add_remote_candidate(base::Timestamp now, std::string_view sdp_candidate,
                                                  IceOutput& out) {
  auto parsed = Candidate::parse(sdp_candidate);
  if (!parsed) {
    std::string text(sdp_candidate.substr(0, std::min<size_t>(sdp_candidate.size(), 200)));
    return reject(text, std::string(to_string(parsed.error())), out);
  }
  return add_remote_candidate(now, std::move(*parsed), out);
}

AddCandidateResult IceAgent::add_remote_candidate(base::Timestamp now, Candidate c, IceOutput& out) {
  if (c.component != 1) return reject(c.to_string(), "component other than 1 (rtcp-mux is mandatory)", out);
  if (c.transport != CandidateTransport::Udp) return reject(c.to_string(), "TCP candidates are not supported", out);
  if (!c.ufrag.empty() && !remote_ufrag_.empty() && c.ufrag != remote_ufrag_) {
    return reject(c.to_string(), "ufrag of another ICE generation", out);
  }
  if (failed_) return reject(c.to_string(), "ICE has failed; a restart is needed", out);
  if (c.address.port() == 0) return reject(c.to_string(), "port 0", out);
  if (c.has_hostname()) {
    if (!ends_with_local(c.hostname)) return reject(c.to_string(), "only mDNS .local host names are resolved", out);
    bool asked = false;
    for (const auto& p : pending_) {
      if (p.hostname == c.hostname && p.address.port() == c.address.port()) return AddCandidateResult::Duplicate;
      asked |= p.hostname == c.hostname;
    }
    if (remote_candidate_count() >= config_.max_remote_candidates) {
      return reject(c.to_string(), "too many remote candidates", out);
    }
    std::string name = c.hostname;
    pending_.push_back(std::move(c));
    last_remote_change_at_ = now;
    if (!asked) out.events.push(ResolveHostname{std::move(name)});
    return AddCandidateResult::Pending;
  }
  return add_resolved_remote(now, std::move(c), out);
}

AddCandidateResult IceAgent::add_resolved_remote(base::Timestamp now, Candidate c, IceOutput& out) {
  if (is_unspecified(c.address)) return reject(c.to_string(), "unspecified address", out);
  if (auto i = remote_for(c.address)) {
    Candidate& known = remotes_[*i];
    if (known.type != CandidateType::PeerReflexive) return AddCandidateResult::Duplicate;
    // RFC 8445 §7.3.1.3: a signalled candidate replaces the peer-reflexive one learnt from a check.
    known.type = c.type;
    known.foundation = c.foundation;
    known.priority = c.priority;
    known.related = c.related;
    known.ufrag = c.ufrag;
    known.generation = c.generation;
    for (auto& p : checklist_.pairs()) {
      if (p.remote != *i) continue;
      p.foundation = locals_[p.local].candidate.foundation + ":" + known.foundation;
    }
    reprioritize();
    return AddCandidateResult::Updated;
  }
  if (remote_candidate_count() >= config_.max_remote_candidates) {
    return reject(c.to_string(), "too many remote candidates", out);
  }
  remotes_.push_back(std::move(c));
  last_remote_change_at_ = now;
  pair_with_hosts(static_cast<uint16_t>(remotes_.size() - 1));
  return AddCandidateResult::Added;
}

void IceAgent::pair_with_hosts(uint16_t remote) {
  const Candidate& r = remotes_[remote];
  for (size_t i = 0; i < hosts_; ++i) {
    const Candidate& l = locals_[i].candidate;
    if (l.address.family() != r.address.family()) continue;
    checklist_.add(static_cast<uint16_t>(i), remote, priority_of(l.priority, r.priority),
                   l.foundation + ":" + r.foundation);
  }
}

void IceAgent::end_of_candidates(base::Timestamp now, IceOutput& out) {
  if (!remote_end_of_candidates_) last_remote_change_at_ = now;
  remote_end_of_candidates_ = true;
  check_failure(now);
  update_state(out);
}

void IceAgent::add_resolved_address(base::Timestamp now, std::string_view name, const TransportAddress& address,
                                    IceOutput& out) {
  std::vector<Candidate> resolved;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->hostname == name) {
      resolved.push_back(std::move(*it));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& c : resolved) {
    uint16_t port = c.address.port();
    c.address = address;
    c.address.set_port(port);
    c.hostname.clear();
    add_resolved_remote(now, std::move(c), out);
  }
  update_state(out);
}

void IceAgent::hostname_unresolved(base::Timestamp now, std::string_view name, std::string_view why,
                                   IceOutput& out) {
  size_t before = pending_.size();
  std::erase_if(pending_, [&](const Candidate& c) { return c.hostname == name; });
  if (pending_.size() == before) return;
  last_remote_change_at_ = now;
  std::string reason = "mDNS name did not resolve";
  if (!why.empty()) {
    reason += ": ";
    reason += why.substr(0, 200);
  }
  reject(std::string(name.substr(0, 256)), std::move(reason), out);
  check_failure(now);
  update_state(out);
}

uint64_t IceAgent::priority_of(uint32_t local_priority, uint32_t remote_priority) const {
  return role_ == IceRole::Controlling ? pair_priority(local_priority, remote_priority)
                                       : pair_priority(remote_priority, local_priority);
}

void IceAgent::reprioritize() {
  for (auto& p : checklist_.pairs()) {
    uint32_t rp = remotes_[p.remote].priority;
    p.priority = priority_of(locals_[p.local].candidate.priority, rp);
    p.valid_priority = priority_of(locals_[p.valid_local].candidate.priority, rp);
  }
}

void IceAgent::switch_role(IceRole role, IceOutput& out) {
  if (role_ == role) return;
  role_ = role;
  reprioritize();
  for (auto& p : checklist_.pairs()) {
    p.nominating = false;
    p.nominate_on_success = false;
  }
  out.events.push(RoleChanged{role});
}

std::optional<size_t> IceAgent::host_for(const TransportAddress& local) const {
  for (size_t i = 0; i < hosts_; ++i) {
    if (locals_[i].base == local) return i;
  }
  return std::nullopt;
}

std::optional<size_t> IceAgent::remote_for(const TransportAddress& remote) const {
  for (size_t i = 0; i < remotes_.size(); ++i) {
    if (remotes_[i].address == remote) return i;
  }
  return std::nullopt;
}

IceDropReason IceAgent::send_error(const TransportAddress& local, const TransportAddress& remote,
                                   const StunTransactionId& txid, uint16_t code, bool with_integrity,
                                   std::span<const uint16_t> unknown, IceOutput& out) {
  if (auto msg = write_binding_error(scratch_, txid, code, with_integrity ? &local_key_ : nullptr, unknown)) {
    transmit(local, remote, *msg, out);
  }
  switch (code) {
    case stun_error::kUnauthorized: return IceDropReason::Unauthorized;
    case stun_error::kUnknownAttribute: return IceDropReason::UnknownAttributes;
    case stun_error::kRoleConflict: return IceDropReason::RoleConflict;
    default: return IceDropReason::BadRequest;
  }
}

std::optional<IceDropReason> IceAgent::handle_stun(base::Timestamp now, const TransportAddress& local,
                                                   const TransportAddress& remote, base::Bytes datagram,
                                                   IceOutput& out) {
  auto drop = [this](IceDropReason r) {
    ++stats_.drops[static_cast<size_t>(r)];
    return std::optional<IceDropReason>(r);
  };
  auto parsed = StunMessageView::parse(datagram);
  if (!parsed) return drop(IceDropReason::Malformed);
  const StunMessageView& msg = *parsed;
  if (msg.method() != StunMethod::Binding) return drop(IceDropReason::NotBinding);
  if (msg.has_fingerprint() && !verify_fingerprint(msg)) return drop(IceDropReason::BadFingerprint);
  std::optional<IceDropReason> r;
  if (msg.is_request()) {
    r = on_request(now, local, remote, msg, out);
  } else if (msg.is_indication()) {
    return std::nullopt;  // a keepalive (RFC 8445 §11): nothing to do
  } else {
    r = on_response(now, local, remote, msg, out);
  }
  if (r) ++stats_.drops[static_cast<size_t>(*r)];
  maybe_nominate(now, out);
  check_failure(now);
  update_state(out);
  return r;
}

std::optional<IceDropReason> IceAgent::on_request(base::Timestamp now, const TransportAddress& local,
                                                  const TransportAddress& remote, const StunMessageView& msg,
                                                  IceOutput& out) {
  ++stats_.requests_received;
  const auto& txid = msg.transaction_id();
  // Short-term credential checks, RFC 8489 §9.1.3: without USERNAME or MESSAGE-INTEGRITY 400; an unknown
  // username or a wrong integrity 401; neither answer carries integrity (we could not key it).
  auto username = msg.username();
  if (!username || (!msg.has_message_integrity() && !msg.has_message_integrity_sha256())) {
    return send_error(local, remote, txid, stun_error::kBadRequest, false, {}, out);
  }
  size_t colon = username->find(':');
  if (colon == std::string_view::npos || username->substr(0, colon) != local_.ufrag ||
      !verify_any_integrity(msg, local_key_)) {
    return send_error(local, remote, txid, stun_error::kUnauthorized, false, {}, out);
  }
  // RFC 8489 §6.3.1, after authentication.
  StunAttributeTypes unknown = msg.unknown_comprehension_required();
  if (!unknown.empty()) {
    return send_error(local, remote, txid, stun_error::kUnknownAttribute, true, unknown.span(), out);
  }
  auto priority = msg.priority();
  if (!priority || *priority == 0) return send_error(local, remote, txid, stun_error::kBadRequest, true, {}, out);

  // Role conflict, RFC 8445 §7.3.1.1: the larger tie-breaker keeps controlling.
  auto controlling = msg.ice_controlling();
  auto controlled = msg.ice_controlled();
  if (role_ == IceRole::Controlling && controlling) {
    if (config_.tie_breaker >= *controlling) {
      return send_error(local, remote, txid, stun_error::kRoleConflict, true, {}, out);
    }
    switch_role(IceRole::Controlled, out);
  } else if (role_ == IceRole::Controlled && controlled) {
    if (config_.tie_breaker >= *controlled) {
      switch_role(IceRole::Controlling, out);
    } else {
      return send_error(local, remote, txid, stun_error::kRoleConflict, true, {}, out);
    }
  }

  if (auto ok = write_binding_success(scratch_, txid, remote, local_key_)) transmit(local, remote, *ok, out);

  auto host = host_for(local);
  if (!host) return IceDropReason::UnknownLocalAddress;
  if (failed_) return std::nullopt;  // answered (the peer may still be checking), but no new work until a restart

  // Peer-reflexive remote candidate, RFC 8445 §7.3.1.3.
  auto ri = remote_for(remote);
  if (!ri) {
    if (remote_candidate_count() >= config_.max_remote_candidates) return std::nullopt;
    Candidate c;
    c.foundation = "prflx";
    c.foundation += std::to_string(++prflx_count_);
    c.priority = *priority;
    c.address = remote;
    c.type = CandidateType::PeerReflexive;
    remotes_.push_back(std::move(c));
    ri = remotes_.size() - 1;
    last_remote_change_at_ = now;
  }

  // Triggered check, RFC 8445 §7.3.1.4.
  const auto li = static_cast<uint16_t>(*host);
  const auto rj = static_cast<uint16_t>(*ri);
  if (locals_[li].base.family() != remote.family()) return std::nullopt;
  CandidatePair* pair = checklist_.find(li, rj);
  if (pair == nullptr) {
    const Candidate& l = locals_[li].candidate;
    const Candidate& r = remotes_[rj];
    pair = checklist_.add(li, rj, priority_of(l.priority, r.priority), l.foundation + ":" + r.foundation);
    if (pair == nullptr) return std::nullopt;  // the table is full of better pairs
    checklist_.trigger(pair->id);
  } else if (pair->state != PairState::Succeeded) {
    if (pair->state == PairState::InProgress) cancel_checks(pair->id);
    checklist_.trigger(pair->id);
  }

  // Nomination by the controlling peer, RFC 8445 §7.3.1.5.
  if (role_ == IceRole::Controlled && msg.use_candidate()) {
    if (pair->state == PairState::Succeeded && pair->valid) {
      pair->nominated = true;
      update_selection(now, out);
    } else {
      pair->nominate_on_success = true;
    }
  }
  return std::nullopt;
}

void IceAgent::restart(base::Timestamp now, IceCredentials local, IceOutput& out, std::optional<IceRole> role) {
  local_ = std::move(local);
  local_key_ = StunIntegrityKey::short_term(local_.pwd);
  remote_ufrag_.clear();
  remote_pwd_.clear();
  remote_key_ = StunIntegrityKey();
  remotes_.clear();
  pending_.clear();
  checklist_.clear();
  std::erase_if(transactions_, [](const Transaction& t) { return t.kind != Transaction::Kind::Gather; });
  std::erase_if(locals_, [](const LocalCandidate& l) { return l.candidate.type == CandidateType::PeerReflexive; });
  if (role && *role != role_) switch_role(*role, out);
  checking_started_ = false;
  failed_ = false;
  remote_end_of_candidates_ = false;
  first_valid_at_.reset();
  selected_pair_id_.reset();  // selected_ stays: media keeps flowing on it until a new pair is selected
  consent_active_ = false;
  next_consent_at_ = base::Timestamp::infinite();
  last_remote_change_at_ = now;
  next_check_at_ = now;
  update_state(out);
  if (started_) {
    for (const auto& l : locals_) out.events.push(CandidateGathered{local_announcement(l)});
    if (gathering_done_) out.events.push(GatheringDone{});
  }
}

void IceAgent::update_state(IceOutput& out) {
  IceState s = IceState::Disconnected;
  if (failed_) {
    s = IceState::Failed;
  } else if (checklist_.best_valid(true) != nullptr) {
    s = IceState::Ready;
  } else if (checklist_.best_valid(false) != nullptr) {
    s = IceState::Connected;
  } else if (checking_started_) {
    s = IceState::Connecting;
  } else if (started_) {
    s = IceState::Gathering;
  }
  if (s == state_) return;
  state_ = s;
  out.events.push(StateChanged{s});
}

}  // namespace medley::ice
