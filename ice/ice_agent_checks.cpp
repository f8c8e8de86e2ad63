// IceAgent, part two: connectivity checks out (RFC 8445 §7.2), their responses (§7.2.5), retransmissions and pacing
// (§14), nomination (§8.1), the selected pair and consent freshness (RFC 7675), server-reflexive gathering (§5.1.1.2).
#include <algorithm>
#include <utility>

#include "ice/ice_agent.hpp"
#include "ice/stun_writer.hpp"

namespace medley::ice {
namespace {

constexpr size_t kMaxChecksPerPair = 3;       // the live one and up to two cancelled ones awaiting late answers
constexpr size_t kMaxConsentTransactions = 8;  // one every ~5 s within the 30 s window
constexpr size_t kMaxPeerReflexiveLocals = 16;

uint16_t local_preference(uint32_t priority) { return static_cast<uint16_t>(priority >> 8); }

}  // namespace

bool IceAgent::checks_allowed() const {
  return started_ && !failed_ && !remote_ufrag_.empty() && !remote_pwd_.empty();
}

// Once a pair is nominated the checklist is Completed (RFC 8445 §8.1.2): only triggered checks still go out.
bool IceAgent::ordinary_checks() const { return checklist_.best_valid(true) == nullptr; }

void IceAgent::transmit(const TransportAddress& local, const TransportAddress& remote, base::Bytes bytes,
                        IceOutput& out) {
  out.transmits.push(Transmit{local, remote, std::vector<uint8_t>(bytes.begin(), bytes.end())});
}

std::optional<base::Bytes> IceAgent::write_request(const StunTransactionId& txid, uint32_t priority,
                                                   bool use_candidate) {
  std::string username = remote_ufrag_ + ":" + local_.ufrag;
  StunBindingRequestParams params;
  params.username = username;
  params.priority = priority;
  params.controlling = role_ == IceRole::Controlling;
  params.tie_breaker = config_.tie_breaker;
  params.use_candidate = use_candidate;
  params.software = config_.software;
  return write_binding_request(scratch_, txid, params, remote_key_);
}

void IceAgent::send_check(base::Timestamp now, CandidatePair& pair, IceOutput& out) {
  const LocalCandidate& l = locals_[pair.local];
  const Candidate& r = remotes_[pair.remote];
  // PRIORITY: what a peer-reflexive candidate learnt from this check would get (RFC 8445 §7.2.2).
  const uint32_t prio = candidate_priority(CandidateType::PeerReflexive, local_preference(l.candidate.priority));
  const bool use = role_ == IceRole::Controlling && (config_.nomination == NominationMode::Aggressive || pair.nominating);
  Transaction t;
  t.id = next_transaction_id();
  auto msg = write_request(t.id, prio, use);
  if (!msg) return;

  size_t live = 0;
  for (const auto& x : transactions_) live += x.kind == Transaction::Kind::Check && x.pair_id == pair.id;
  if (live >= kMaxChecksPerPair) {
    auto oldest = std::find_if(transactions_.begin(), transactions_.end(), [&](const Transaction& x) {
      return x.kind == Transaction::Kind::Check && x.pair_id == pair.id;
    });
    transactions_.erase(oldest);
  }

  const size_t busy = checklist_.count(PairState::Waiting) + checklist_.count(PairState::InProgress);
  t.kind = Transaction::Kind::Check;
  t.pair_id = pair.id;
  t.local = l.base;
  t.remote = r.address;
  t.bytes.assign(msg->begin(), msg->end());
  t.rto = std::max(config_.check_rto_min, config_.ta * static_cast<int64_t>(busy));
  t.next_at = now + t.rto;
  t.sends = 1;
  t.max_sends = std::max<uint8_t>(config_.check_max_sends, 1);
  t.use_candidate = use;
  t.role = role_;
  t.priority = prio;
  pair.state = PairState::InProgress;
  transmit(t.local, t.remote, *msg, out);
  transactions_.push_back(std::move(t));
  ++stats_.checks_sent;
  checking_started_ = true;
}

void IceAgent::send_consent(base::Timestamp now, IceOutput& out) {
  next_consent_at_ = now + consent_delay();
  if (!selected_ || !selected_pair_id_) return;
  const CandidatePair* pair = checklist_.find(*selected_pair_id_);
  if (pair == nullptr) return;
  const uint32_t prio =
      candidate_priority(CandidateType::PeerReflexive, local_preference(locals_[pair->local].candidate.priority));
  Transaction t;
  t.id = next_transaction_id();
  auto msg = write_request(t.id, prio, false);
  if (!msg) return;
  size_t live = 0;
  for (const auto& x : transactions_) live += x.kind == Transaction::Kind::Consent;
  if (live >= kMaxConsentTransactions) {
    auto oldest = std::find_if(transactions_.begin(), transactions_.end(),
                               [](const Transaction& x) { return x.kind == Transaction::Kind::Consent; });
    transactions_.erase(oldest);
  }
  // An ordinary STUN transaction with retransmissions (RFC 7675 §5.1 sends consent checks as STUN requests): with
  // single sends, six tries in 30 s fail together at 20 % loss often enough to drop calls.
  t.kind = Transaction::Kind::Consent;
  t.pair_id = pair->id;
  t.local = selected_->send_from;
  t.remote = selected_->remote.address;
  t.bytes.assign(msg->begin(), msg->end());
  t.rto = config_.check_rto_min;
  t.next_at = now + t.rto;
  t.sends = 1;
  t.max_sends = std::max<uint8_t>(config_.consent_max_sends, 1);
  t.role = role_;
  t.priority = prio;
  transmit(t.local, t.remote, *msg, out);
  transactions_.push_back(std::move(t));
  ++stats_.consent_checks_sent;
}

void IceAgent::send_gather(base::Timestamp now, size_t host, IceOutput& out) {
  Transaction t;
  t.id = next_transaction_id();
  StunWriter w(scratch_, StunMethod::Binding, StunClass::Request, t.id);
  if (!config_.software.empty()) w.add_software(config_.software);
  w.add_fingerprint();
  auto msg = w.finish();
  if (!msg) return;
  t.kind = Transaction::Kind::Gather;
  t.host = host;
  t.local = locals_[host].base;
  t.remote = *config_.stun_server;
  t.bytes.assign(msg->begin(), msg->end());
  t.rto = config_.gather_rto;
  t.next_at = now + t.rto;
  t.sends = 1;
  t.max_sends = std::max<uint8_t>(config_.gather_max_sends, 1);
  transmit(t.local, t.remote, *msg, out);
  transactions_.push_back(std::move(t));
}

StunTransactionId IceAgent::next_transaction_id() {
  StunTransactionId id = random_.transaction_id();
  if (config_.transaction_tag) {
    const uint32_t tag = *config_.transaction_tag;
    id[0] = static_cast<uint8_t>(tag >> 24);
    id[1] = static_cast<uint8_t>(tag >> 16);
    id[2] = static_cast<uint8_t>(tag >> 8);
    id[3] = static_cast<uint8_t>(tag);
  }
  return id;
}

void IceAgent::cancel_checks(uint32_t pair_id) {
  for (auto& t : transactions_) {
    if (t.kind == Transaction::Kind::Check && t.pair_id == pair_id) t.retransmit = false;
  }
}

std::optional<IceDropReason> IceAgent::on_response(base::Timestamp now, const TransportAddress& local,
                                                   const TransportAddress& remote, const StunMessageView& msg,
                                                   IceOutput& out) {
  ++stats_.responses_received;
  auto it = std::find_if(transactions_.begin(), transactions_.end(),
                         [&](const Transaction& t) { return t.id == msg.transaction_id(); });
  if (it == transactions_.end()) return IceDropReason::UnknownTransaction;

  if (it->kind == Transaction::Kind::Gather) {
    if (remote != it->remote || local != it->local) return IceDropReason::WrongResponseSource;
    Transaction t = std::move(*it);
    transactions_.erase(it);
    on_gather_response(std::move(t), msg, out);
    finish_gathering_if_done(out);
    return std::nullopt;
  }

  // Answers to checks are authenticated with the peer's password. RFC 8489 §9.1.4: 400 and 401 cannot carry
  // integrity (the peer could not key it), so they are taken as they are; anything else without a good one is a
  // forgery or garbage and must not end the transaction.
  if (msg.has_message_integrity() || msg.has_message_integrity_sha256()) {
    if (!verify_any_integrity(msg, remote_key_)) return IceDropReason::BadResponseIntegrity;
  } else {
    auto code = msg.error_code();
    bool unauthenticated_error = msg.is_error_response() && code &&
                                 (code->code == stun_error::kBadRequest || code->code == stun_error::kUnauthorized);
    if (!unauthenticated_error) return IceDropReason::BadResponseIntegrity;
  }
  Transaction t = std::move(*it);
  transactions_.erase(it);
  return on_check_response(now, std::move(t), local, remote, msg, out);
}

std::optional<IceDropReason> IceAgent::on_check_response(base::Timestamp now, Transaction t,
                                                         const TransportAddress& local,
                                                         const TransportAddress& remote, const StunMessageView& msg,
                                                         IceOutput& out) {
  const bool symmetric = remote == t.remote && local == t.local;
  if (t.kind == Transaction::Kind::Consent) {
    if (msg.is_success_response() && symmetric && selected_ && selected_->send_from == t.local &&
        selected_->remote.address == t.remote) {
      last_consent_at_ = now;
    }
    return std::nullopt;
  }

  CandidatePair* pair = checklist_.find(t.pair_id);
  if (pair == nullptr) return std::nullopt;  // evicted meanwhile
  auto fail = [&](CandidatePair& p) {
    p.state = PairState::Failed;
    p.nominating = false;
    if (!p.nominated) p.valid = false;
  };

  if (msg.is_error_response()) {
    auto code = msg.error_code();
    if (code && code->code == stun_error::kRoleConflict) {
      // RFC 8445 §7.2.5.1: take the other role than the one the check was sent with, and check again.
      IceRole other = t.role == IceRole::Controlling ? IceRole::Controlled : IceRole::Controlling;
      if (role_ == t.role) switch_role(other, out);
      checklist_.trigger(t.pair_id);
      return std::nullopt;
    }
    fail(*pair);
    return std::nullopt;
  }

  // RFC 8445 §7.2.5.2.1: the answer must come back on the reverse of the request's path.
  if (!symmetric) {
    fail(*pair);
    return IceDropReason::WrongResponseSource;
  }
  auto mapped = msg.xor_mapped_address();
  if (!mapped) {
    fail(*pair);
    return std::nullopt;
  }
  const uint32_t pair_id = pair->id;
  const uint16_t vl = local_for_mapped(*mapped, t);
  pair = checklist_.find(pair_id);
  pair->state = PairState::Succeeded;
  pair->valid = true;
  pair->valid_local = vl;
  pair->valid_priority = priority_of(locals_[vl].candidate.priority, remotes_[pair->remote].priority);
  checklist_.unfreeze(pair->foundation);
  if (!first_valid_at_) first_valid_at_ = now;
  if (t.use_candidate && t.role == IceRole::Controlling && role_ == IceRole::Controlling) {
    pair->nominated = true;
    pair->nominating = false;
  }
  if (role_ == IceRole::Controlled && pair->nominate_on_success) {
    pair->nominated = true;
    pair->nominate_on_success = false;
  }
  if (selected_ && selected_->send_from == t.local && selected_->remote.address == t.remote) last_consent_at_ = now;
  update_selection(now, out);
  return std::nullopt;
}

uint16_t IceAgent::local_for_mapped(const TransportAddress& mapped, const Transaction& t) {
  for (size_t i = 0; i < locals_.size(); ++i) {
    if (locals_[i].candidate.address == mapped && locals_[i].base == t.local) return static_cast<uint16_t>(i);
  }
  const auto host = static_cast<uint16_t>(host_for(t.local).value_or(0));
  size_t prflx = 0;
  for (const auto& l : locals_) prflx += l.candidate.type == CandidateType::PeerReflexive;
  if (prflx >= kMaxPeerReflexiveLocals) return host;
  // RFC 8445 §7.2.5.3.1: a peer-reflexive local candidate, prioritised as the PRIORITY we sent, based on our socket.
  LocalCandidate l;
  l.base = t.local;
  l.candidate.foundation = candidate_foundation(CandidateType::PeerReflexive, t.local);
  l.candidate.priority = t.priority;
  l.candidate.address = mapped;
  l.candidate.type = CandidateType::PeerReflexive;
  l.candidate.related = t.local;
  locals_.push_back(std::move(l));
  return static_cast<uint16_t>(locals_.size() - 1);
}

void IceAgent::on_gather_response(Transaction t, const StunMessageView& msg, IceOutput& out) {
  if (!msg.is_success_response()) return;
  auto mapped = msg.xor_mapped_address();
  if (!mapped) mapped = msg.mapped_address();
  if (!mapped || t.host >= hosts_) return;
  const LocalCandidate& host = locals_[t.host];
  if (*mapped == host.base) return;  // no NAT in between: the srflx candidate would be redundant (§5.1.3)
  for (const auto& l : locals_) {
    if (l.candidate.type == CandidateType::ServerReflexive && l.candidate.address == *mapped) return;
  }
  LocalCandidate l;
  l.base = host.base;
  l.candidate.foundation = candidate_foundation(CandidateType::ServerReflexive, host.base, config_.stun_server);
  l.candidate.priority =
      candidate_priority(CandidateType::ServerReflexive, local_preference(host.candidate.priority));
  l.candidate.address = *mapped;
  l.candidate.type = CandidateType::ServerReflexive;
  l.candidate.related = host.base;
  locals_.push_back(std::move(l));
  out.events.push(CandidateGathered{local_announcement(locals_.back())});
}

void IceAgent::on_transaction_timeout(base::Timestamp now, const Transaction& t, IceOutput& out) {
  (void)now;
  switch (t.kind) {
    case Transaction::Kind::Gather:
      finish_gathering_if_done(out);
      break;
    case Transaction::Kind::Consent:
      break;
    case Transaction::Kind::Check: {
      if (!t.retransmit) break;  // cancelled: a newer check of the pair decides
      CandidatePair* pair = checklist_.find(t.pair_id);
      if (pair == nullptr || pair->state != PairState::InProgress) break;
      pair->state = PairState::Failed;
      pair->nominating = false;
      if (!pair->nominated) pair->valid = false;
      break;
    }
  }
}

void IceAgent::handle_timeout(base::Timestamp now, IceOutput& out) {
  for (size_t i = 0; i < transactions_.size();) {
    Transaction& t = transactions_[i];
    if (t.next_at > now) {
      ++i;
      continue;
    }
    if (t.retransmit && t.sends < t.max_sends) {
      transmit(t.local, t.remote, t.bytes, out);
      ++t.sends;
      ++stats_.retransmissions;
      base::Duration cap = t.kind == Transaction::Kind::Check ? std::max(config_.check_rto_max, t.rto)
                                                              : base::Duration::infinite();
      t.rto = std::min(t.rto * 2, cap);
      t.next_at = now + t.rto;
      ++i;
      continue;
    }
    Transaction done = std::move(t);
    transactions_.erase(transactions_.begin() + static_cast<std::ptrdiff_t>(i));
    on_transaction_timeout(now, done, out);
  }

  maybe_nominate(now, out);
  if (checks_allowed() && now >= next_check_at_) {
    if (CandidatePair* p = checklist_.next_check(ordinary_checks())) {
      send_check(now, *p, out);
      next_check_at_ = now + config_.ta;
    }
  }

  if (consent_active_ && !failed_) {
    if (now - last_consent_at_ >= config_.consent_timeout) {
      failed_ = true;  // RFC 7675 §5.1: consent expired; stop sending
      consent_active_ = false;
    } else if (now >= next_consent_at_) {
      send_consent(now, out);
    }
  }
  check_failure(now);
  update_state(out);
}

bool IceAgent::nomination_pending() const {
  if (role_ != IceRole::Controlling || config_.nomination != NominationMode::Regular || !checks_allowed()) {
    return false;
  }
  if (!first_valid_at_ || checklist_.best_valid(true) != nullptr) return false;
  for (const auto& p : checklist_.pairs()) {
    if (p.nominating) return false;
  }
  return checklist_.best_valid(false) != nullptr;
}

void IceAgent::maybe_nominate(base::Timestamp now, IceOutput& out) {
  if (!nomination_pending()) return;
  const CandidatePair* best = checklist_.best_valid(false);
  bool better_pending = false;
  for (const auto& p : checklist_.pairs()) {
    bool open = p.state == PairState::Frozen || p.state == PairState::Waiting || p.state == PairState::InProgress;
    better_pending |= open && !p.valid && p.priority > best->priority;
  }
  if (better_pending && now < *first_valid_at_ + config_.nomination_wait) return;
  CandidatePair* pair = checklist_.find(best->id);
  pair->nominating = true;
  checklist_.trigger(pair->id, /*front=*/true);
  // The nomination leaves now, not at the next Ta tick: it is one check per stream, and waiting up to Ta (50 ms)
  // for it delayed every connection we offered by that much.
  if (checks_allowed()) {
    if (CandidatePair* p = checklist_.next_check(ordinary_checks())) {
      send_check(now, *p, out);
      next_check_at_ = now + config_.ta;
    }
  }
}

void IceAgent::update_selection(base::Timestamp now, IceOutput& out) {
  const CandidatePair* best = checklist_.best_valid(true);
  if (best == nullptr) return;
  const LocalCandidate& l = locals_[best->valid_local];
  const Candidate& r = remotes_[best->remote];
  if (selected_pair_id_ == best->id && selected_ && selected_->send_from == l.base &&
      selected_->remote.address == r.address) {
    return;
  }
  selected_ = SelectedPair{local_announcement(l), r, l.base};
  selected_pair_id_ = best->id;
  out.events.push(SelectedPairChanged{selected_->local, selected_->remote, selected_->send_from});
  consent_active_ = true;
  last_consent_at_ = now;
  next_consent_at_ = now + consent_delay();
}

base::Duration IceAgent::consent_delay() {
  const int64_t us = config_.consent_interval.us();
  if (!config_.consent_randomize) return config_.consent_interval;
  return base::Duration::micros(random_.uniform(us * 8 / 10, us * 12 / 10));
}

void IceAgent::check_failure(base::Timestamp now) {
  if (failure_deadline() <= now) {
    failed_ = true;
    consent_active_ = false;
  }
}

base::Timestamp IceAgent::failure_deadline() const {
  if (failed_ || !checks_allowed() || !pending_.empty()) return base::Timestamp::infinite();
  if (checklist_.any_pending() || checklist_.best_valid(false) != nullptr) return base::Timestamp::infinite();
  // With no pair at all the peer may still reach us (its checks make peer-reflexive pairs): wait for
  // end-of-candidates, then trickle_wait more.
  if (checklist_.size() == 0) {
    return remote_end_of_candidates_ ? last_remote_change_at_ + config_.trickle_wait : base::Timestamp::infinite();
  }
  if (remote_end_of_candidates_) return base::Timestamp::zero();
  return last_remote_change_at_ + config_.trickle_wait;
}

base::Timestamp IceAgent::next_timeout() const {
  base::Timestamp t = base::Timestamp::infinite();
  for (const auto& x : transactions_) t = base::earliest(t, x.next_at);
  if (checks_allowed() && checklist_.has_work(ordinary_checks())) t = base::earliest(t, next_check_at_);
  if (nomination_pending()) t = base::earliest(t, *first_valid_at_ + config_.nomination_wait);
  if (consent_active_ && !failed_) {
    t = base::earliest(t, next_consent_at_);
    t = base::earliest(t, last_consent_at_ + config_.consent_timeout);
  }
  return base::earliest(t, failure_deadline());
}

}  // namespace medley::ice
