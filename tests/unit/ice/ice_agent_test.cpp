// IceAgent back to back through the simulated network: both roles, loss, role conflict, wrong password,
// peer-reflexive discovery, trickle, restart, consent loss, srflx gathering, mDNS names, bounds.
#include <gtest/gtest.h>

#include "ice/ice_agent.hpp"
#include "ice_sim.hpp"

namespace medley::ice {
namespace {

using base::Duration;
using sim::addr;
using sim::make_config;

constexpr const char* kPwdA = "aaaaaaaaaaaaaaaaaaaaaaaa";
constexpr const char* kPwdB = "bbbbbbbbbbbbbbbbbbbbbbbb";

IceAgentConfig config_a(IceRole role, uint64_t tie = 0xA000) {
  return make_config("ufA1", kPwdA, role, tie, {addr("10.0.0.1:4000")}, 1);
}
IceAgentConfig config_b(IceRole role, uint64_t tie = 0xB000) {
  return make_config("ufB1", kPwdB, role, tie, {addr("10.0.0.2:5000")}, 2);
}

std::vector<IceState> S(std::initializer_list<IceState> s) { return s; }

// The local address one side sends media from must be the address the other side sends to.
void expect_consistent_selection(const sim::Pair& p) {
  ASSERT_TRUE(p.a.agent->selected_pair());
  ASSERT_TRUE(p.b.agent->selected_pair());
  EXPECT_EQ(p.a.agent->selected_pair()->send_from, p.b.agent->selected_pair()->remote.address);
  EXPECT_EQ(p.b.agent->selected_pair()->send_from, p.a.agent->selected_pair()->remote.address);
}

TEST(IceAgent, ConnectsControllingToControlled) {
  sim::Pair p;
  p.create(config_a(IceRole::Controlling), config_b(IceRole::Controlled));
  p.exchange_credentials();
  p.start_both();
  ASSERT_TRUE(p.run_until([&] { return p.both_ready(); }, Duration::seconds(5)));
  // One pair, 20 ms each way: A checks at once, nominates as soon as its check answers.
  EXPECT_LT(p.now.ms(), 1000 + 200);

  // A: gathering, its host candidate, done, then checks, a valid pair, the nomination.
  ASSERT_GE(p.a.events.size(), 6u);
  EXPECT_EQ(std::get<StateChanged>(p.a.events[0]).state, IceState::Gathering);
  EXPECT_EQ(std::get<CandidateGathered>(p.a.events[1]).candidate.to_string(),
            "candidate:" + candidate_foundation(CandidateType::Host, addr("10.0.0.1:4000")) +
                " 1 udp 2130706431 10.0.0.1 4000 typ host generation 0 ufrag ufA1");
  EXPECT_TRUE(std::holds_alternative<GatheringDone>(p.a.events[2]));
  EXPECT_EQ(p.a.states(), S({IceState::Gathering, IceState::Connecting, IceState::Connected, IceState::Ready}));
  EXPECT_EQ(p.b.states(), S({IceState::Gathering, IceState::Connecting, IceState::Connected, IceState::Ready}));
  // The selection comes right before Ready.
  auto it = std::find_if(p.a.events.begin(), p.a.events.end(),
                         [](const IceEvent& e) { return std::holds_alternative<SelectedPairChanged>(e); });
  ASSERT_NE(it, p.a.events.end());
  ASSERT_NE(it + 1, p.a.events.end());
  EXPECT_EQ(std::get<StateChanged>(*(it + 1)).state, IceState::Ready);
  EXPECT_EQ(p.a.count<SelectedPairChanged>(), 1u);
  EXPECT_EQ(p.b.count<SelectedPairChanged>(), 1u);
  expect_consistent_selection(p);
  EXPECT_EQ(p.a.agent->selected_pair()->send_from, addr("10.0.0.1:4000"));
  EXPECT_EQ(p.a.agent->selected_pair()->remote.type, CandidateType::Host);
  EXPECT_EQ(p.a.agent->role(), IceRole::Controlling);
  EXPECT_EQ(p.b.agent->role(), IceRole::Controlled);

  // Quiet afterwards: only consent checks, every 5 s each way, answered.
  uint64_t sent_before = p.net.sent;
  p.run_for(Duration::seconds(60));
  EXPECT_TRUE(p.both_ready());
  EXPECT_GE(p.net.sent - sent_before, 2u * 2 * 11);
  EXPECT_LE(p.net.sent - sent_before, 2u * 2 * 13) << sim::describe(p.a) << sim::describe(p.b);
  EXPECT_EQ(p.a.agent->stats().consent_checks_sent, 12u);
}

TEST(IceAgent, ConnectsControlledToControlling) {
  sim::Pair p;
  p.create(config_a(IceRole::Controlled), config_b(IceRole::Controlling));
  p.exchange_credentials();
  p.start_both();
  ASSERT_TRUE(p.run_until([&] { return p.both_ready(); }, Duration::seconds(5)));
  EXPECT_EQ(p.a.states(), S({IceState::Gathering, IceState::Connecting, IceState::Connected, IceState::Ready}));
  EXPECT_EQ(p.a.agent->role(), IceRole::Controlled);
  EXPECT_EQ(p.b.agent->role(), IceRole::Controlling);
  EXPECT_EQ(p.a.count<RoleChanged>() + p.b.count<RoleChanged>(), 0u);
  expect_consistent_selection(p);
}

// A shared port routes answers by the tag at the front of our transaction ids: every check and consent request
// carries it, and the agents still connect.
TEST(IceAgent, TransactionTagStartsEveryTransactionId) {
  sim::Pair p;
  auto ca = config_a(IceRole::Controlling);
  ca.transaction_tag = 0xA1B2C3D4;
  p.create(std::move(ca), config_b(IceRole::Controlled));
  p.exchange_credentials();
  IceOutput out;
  p.a.agent->start(p.now, out);
  p.a.agent->add_remote_candidate(p.now, "candidate:1 1 udp 2130706431 10.0.0.2 5000 typ host", out);
  p.a.agent->handle_timeout(p.now, out);
  ASSERT_FALSE(out.transmits.empty());
  for (const auto& t : out.transmits) {
    ASSERT_GE(t.bytes.size(), 20u);
    EXPECT_EQ(t.bytes[8], 0xA1);
    EXPECT_EQ(t.bytes[9], 0xB2);
    EXPECT_EQ(t.bytes[10], 0xC3);
    EXPECT_EQ(t.bytes[11], 0xD4);
  }
}

// Regular nomination on a fast path (1 ms each way): the USE-CANDIDATE check leaves as soon as the first check
// answers, not at the next Ta tick, so both sides are Ready well inside one Ta (50 ms).
TEST(IceAgent, RegularNominationDoesNotWaitForTa) {
  sim::Pair p;
  p.net.delay = Duration::millis(1);
  p.create(config_a(IceRole::Controlling), config_b(IceRole::Controlled));
  p.exchange_credentials();
  const auto start = p.now;
  p.start_both();
  ASSERT_TRUE(p.run_until([&] { return p.both_ready(); }, Duration::seconds(5)));
  EXPECT_LT((p.now - start).ms(), 20) << sim::describe(p.a) << sim::describe(p.b);
  expect_consistent_selection(p);
}

TEST(IceAgent, AggressiveNominationConnects) {
  sim::Pair p;
  auto ca = config_a(IceRole::Controlling);
  ca.nomination = NominationMode::Aggressive;
  p.create(std::move(ca), config_b(IceRole::Controlled));
  p.exchange_credentials();
  p.start_both();
  ASSERT_TRUE(p.run_until([&] { return p.both_ready(); }, Duration::seconds(5)));
  expect_consistent_selection(p);
}

// Two host addresses on each side (one IPv4, one IPv6): pairs only within a family, the best one selected.
TEST(IceAgent, PairsOnlyWithinAFamilyAndSelectsTheBest) {
  sim::Pair p;
  auto ca = make_config("ufA1", kPwdA, IceRole::Controlling, 1, {addr("10.0.0.1:4000"), addr("[2001:db8::1]:4000")}, 1);
  auto cb = make_config("ufB1", kPwdB, IceRole::Controlled, 2, {addr("10.0.0.2:5000"), addr("[2001:db8::2]:5000")}, 2);
  p.create(std::move(ca), std::move(cb));
  p.exchange_credentials();
  p.start_both();
  ASSERT_TRUE(p.run_until([&] { return p.both_ready(); }, Duration::seconds(5)));
  EXPECT_EQ(p.a.agent->checklist().size(), 2u);
  // The first address in the list has the highest local preference on both sides.
  EXPECT_EQ(p.a.agent->selected_pair()->send_from, addr("10.0.0.1:4000"));
  EXPECT_EQ(p.a.agent->selected_pair()->remote.address, addr("10.0.0.2:5000"));
  expect_consistent_selection(p);
}

class IceAgentLoss : public ::testing::TestWithParam<uint64_t> {};

TEST_P(IceAgentLoss, ConnectsWithTwentyPercentLossAndReordering) {
  sim::Pair p(GetParam());
  p.net.loss = 0.2;
  p.net.jitter = Duration::millis(30);
  auto ca = make_config("ufA1", kPwdA, IceRole::Controlling, 1,
                        {addr("10.0.0.1:4000"), addr("10.0.1.1:4000"), addr("[2001:db8::1]:4000")}, 1);
  auto cb = make_config("ufB1", kPwdB, IceRole::Controlled, 2, {addr("10.0.0.2:5000"), addr("[2001:db8::2]:5000")},
                        2);
  ca.random_seed = sim::seed_of(static_cast<uint8_t>(GetParam()));
  p.create(std::move(ca), std::move(cb));
  p.exchange_credentials();
  p.start_both();
  ASSERT_TRUE(p.run_until([&] { return p.both_ready(); }, Duration::seconds(20)))
      << sim::describe(p.a) << sim::describe(p.b);
  // Ready may come before the peer's own selection lands; let the last nominations finish.
  p.run_for(Duration::seconds(3));
  expect_consistent_selection(p);
  // Consent survives 20 % loss: six chances per 30 s.
  p.run_for(Duration::seconds(120));
  EXPECT_TRUE(p.both_ready()) << sim::describe(p.a) << sim::describe(p.b);
  EXPECT_EQ(p.a.states().back(), IceState::Ready);
  EXPECT_GT(p.net.lost, 0u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, IceAgentLoss, ::testing::Values(1, 2, 3, 4, 5, 6, 7, 8));

TEST(IceAgent, RoleConflictBothControllingIsRepaired) {
  sim::Pair p;
  // B has the larger tie-breaker: B stays controlling, A switches.
  p.create(config_a(IceRole::Controlling, 100), config_b(IceRole::Controlling, 200));
  p.exchange_credentials();
  p.start_both();
  ASSERT_TRUE(p.run_until([&] { return p.both_ready(); }, Duration::seconds(5)));
  EXPECT_EQ(p.a.agent->role(), IceRole::Controlled);
  EXPECT_EQ(p.b.agent->role(), IceRole::Controlling);
  ASSERT_EQ(p.a.count<RoleChanged>(), 1u);
  EXPECT_EQ(p.a.all<RoleChanged>()[0].role, IceRole::Controlled);
  EXPECT_EQ(p.b.count<RoleChanged>(), 0u);
  expect_consistent_selection(p);
}

TEST(IceAgent, RoleConflictBothControlledIsRepaired) {
  sim::Pair p;
  p.create(config_a(IceRole::Controlled, 300), config_b(IceRole::Controlled, 200));
  p.exchange_credentials();
  p.start_both();
  ASSERT_TRUE(p.run_until([&] { return p.both_ready(); }, Duration::seconds(5)));
  EXPECT_EQ(p.a.agent->role(), IceRole::Controlling);
  EXPECT_EQ(p.b.agent->role(), IceRole::Controlled);
  expect_consistent_selection(p);
}

TEST(IceAgent, WrongPasswordGets401AndNeverConnects) {
  sim::Pair p;
  p.create(config_a(IceRole::Controlling), config_b(IceRole::Controlled));
  p.a.agent->set_remote_credentials("ufB1", "not-the-password-of-b-xx");
  p.b.agent->set_remote_credentials("ufA1", kPwdA);
  p.start_both();
  ASSERT_TRUE(p.run_until([&] { return p.a.agent->state() == IceState::Failed; }, Duration::seconds(60)));
  EXPECT_GT(p.b.agent->stats().dropped(IceDropReason::Unauthorized), 0u);
  EXPECT_EQ(p.a.count<SelectedPairChanged>(), 0u);
  p.run_for(Duration::seconds(60));
  EXPECT_NE(p.b.agent->state(), IceState::Ready);
  EXPECT_EQ(p.b.count<SelectedPairChanged>(), 0u);
  EXPECT_EQ(p.a.states(), S({IceState::Gathering, IceState::Connecting, IceState::Failed}));
}

// B's candidates never reach A (signalling lost them) and B sits behind a NAT: A learns B's public address from
// B's check (remote peer-reflexive) and B learns its own public address from A's answer (local peer-reflexive).
TEST(IceAgent, PeerReflexiveBothWaysThroughANat) {
  sim::Pair p;
  p.net.add_nat(addr("10.0.0.2:5000"), addr("203.0.113.7:61000"));
  p.create(config_a(IceRole::Controlled), config_b(IceRole::Controlling));
  p.b.trickle = false;
  p.exchange_credentials();
  p.start_both();
  ASSERT_TRUE(p.run_until([&] { return p.both_ready(); }, Duration::seconds(5)));
  const auto& sa = *p.a.agent->selected_pair();
  EXPECT_EQ(sa.remote.type, CandidateType::PeerReflexive);
  EXPECT_EQ(sa.remote.address, addr("203.0.113.7:61000"));
  EXPECT_EQ(sa.send_from, addr("10.0.0.1:4000"));
  const auto& sb = *p.b.agent->selected_pair();
  EXPECT_EQ(sb.local.type, CandidateType::PeerReflexive);
  EXPECT_EQ(sb.local.address, addr("203.0.113.7:61000"));
  EXPECT_EQ(sb.send_from, addr("10.0.0.2:5000"));
  EXPECT_EQ(sb.remote.address, addr("10.0.0.1:4000"));
  // Local peer-reflexive candidates are not announced (they are not trickled, RFC 8838).
  EXPECT_EQ(p.b.count<CandidateGathered>(), 1u);
}

// A signalled candidate arriving after the peer-reflexive one replaces it (RFC 8445 §7.3.1.3).
TEST(IceAgent, SignalledCandidateUpgradesPeerReflexive) {
  sim::Pair p;
  p.create(config_a(IceRole::Controlled), config_b(IceRole::Controlling));
  p.b.trickle = false;
  p.exchange_credentials();
  p.start_both();
  ASSERT_TRUE(p.run_until([&] { return p.both_ready(); }, Duration::seconds(5)));
  EXPECT_EQ(p.a.agent->remote_candidate_count(), 1u);
  auto host_b = p.b.all<CandidateGathered>()[0].candidate;
  IceOutput out;
  EXPECT_EQ(p.a.agent->add_remote_candidate(p.now, host_b, out), AddCandidateResult::Updated);
  EXPECT_EQ(p.a.agent->add_remote_candidate(p.now, host_b, out), AddCandidateResult::Duplicate);
  EXPECT_EQ(p.a.agent->remote_candidate_count(), 1u);
}

TEST(IceAgent, TrickleAfterStart) {
  sim::Pair p;
  p.create(config_a(IceRole::Controlling), config_b(IceRole::Controlled));
  p.a.trickle = p.b.trickle = false;
  p.a.forward_end_of_candidates = p.b.forward_end_of_candidates = false;
  p.exchange_credentials();
  p.start_both();
  p.run_for(Duration::seconds(3));
  EXPECT_EQ(p.a.agent->state(), IceState::Gathering);
  EXPECT_EQ(p.b.agent->state(), IceState::Gathering);
  EXPECT_EQ(p.net.sent, 0u);
  // The candidates arrive late, from the signalling channel, one side first.
  IceOutput out;
  EXPECT_EQ(p.b.agent->add_remote_candidate(p.now, p.a.all<CandidateGathered>()[0].candidate.to_string(), out),
            AddCandidateResult::Added);
  p.drain(p.b, p.a, out);
  p.run_for(Duration::millis(500));
  // B's checks reached A meanwhile: A knows B's address as peer-reflexive already, the signalled one upgrades it.
  EXPECT_EQ(p.a.agent->add_remote_candidate(p.now, p.b.all<CandidateGathered>()[0].candidate.to_string(), out),
            AddCandidateResult::Updated);
  p.drain(p.a, p.b, out);
  p.a.agent->end_of_candidates(p.now, out);
  p.drain(p.a, p.b, out);
  ASSERT_TRUE(p.run_until([&] { return p.both_ready(); }, Duration::seconds(5)));
  expect_consistent_selection(p);
}

TEST(IceAgent, CredentialsLaterThanCandidates) {
  sim::Pair p;
  p.create(config_a(IceRole::Controlling), config_b(IceRole::Controlled));
  p.start_both();
  p.run_for(Duration::seconds(1));
  EXPECT_EQ(p.a.agent->state(), IceState::Gathering);
  EXPECT_EQ(p.a.agent->checklist().size(), 1u);
  p.exchange_credentials();
  ASSERT_TRUE(p.run_until([&] { return p.both_ready(); }, Duration::seconds(5)));
}

TEST(IceAgent, RestartMidCallReconnectsWithNewCredentials) {
  sim::Pair p;
  p.create(config_a(IceRole::Controlling), config_b(IceRole::Controlled));
  p.exchange_credentials();
  p.start_both();
  ASSERT_TRUE(p.run_until([&] { return p.both_ready(); }, Duration::seconds(5)));
  p.run_for(Duration::seconds(10));
  size_t a_events = p.a.events.size();
  size_t b_events = p.b.events.size();

  // A offers a restart; B answers. Candidates are trickled again with the new ufrags.
  IceOutput out;
  p.a.agent->restart(p.now, {"ufA2", "AAAAAAAAAAAAAAAAAAAAAAAA"}, out);
  p.drain(p.a, p.b, out);
  EXPECT_TRUE(p.a.agent->selected_pair());  // media keeps flowing meanwhile
  p.b.agent->restart(p.now, {"ufB2", "BBBBBBBBBBBBBBBBBBBBBBBB"}, out);
  p.drain(p.b, p.a, out);
  p.exchange_credentials();
  // Candidates trickled before the restart (old ufrag) were dropped; the re-announced ones have the new ufrag.
  ASSERT_TRUE(p.run_until([&] { return p.both_ready(); }, Duration::seconds(5)));
  std::vector<IceEvent> after(p.a.events.begin() + static_cast<std::ptrdiff_t>(a_events), p.a.events.end());
  ASSERT_GE(after.size(), 6u);
  EXPECT_EQ(std::get<StateChanged>(after[0]).state, IceState::Gathering);
  EXPECT_EQ(std::get<CandidateGathered>(after[1]).candidate.ufrag, "ufA2");
  EXPECT_TRUE(std::holds_alternative<GatheringDone>(after[2]));
  std::vector<IceState> states;
  for (const auto& e : after) {
    if (auto* s = std::get_if<StateChanged>(&e)) states.push_back(s->state);
  }
  EXPECT_EQ(states, S({IceState::Gathering, IceState::Connecting, IceState::Connected, IceState::Ready}));
  EXPECT_EQ(p.b.count<SelectedPairChanged>(), 2u);
  EXPECT_GT(p.b.events.size(), b_events);
  expect_consistent_selection(p);

  // A check with the old credentials is refused now.
  uint64_t before = p.b.agent->stats().dropped(IceDropReason::Unauthorized);
  std::array<uint8_t, 256> buf{};
  StunBindingRequestParams params;
  params.username = "ufB1:ufA1";
  params.priority = 1;
  params.controlling = true;
  auto old = write_binding_request(buf, StunTransactionId{}, params, StunIntegrityKey::short_term(kPwdB));
  ASSERT_TRUE(old);
  p.b.agent->handle_stun(p.now, addr("10.0.0.2:5000"), addr("10.0.0.1:4000"), *old, out);
  EXPECT_EQ(p.b.agent->stats().dropped(IceDropReason::Unauthorized), before + 1);

  p.run_for(Duration::seconds(60));
  EXPECT_TRUE(p.both_ready());
}

TEST(IceAgent, ConsentLossFailsAfterThirtySeconds) {
  sim::Pair p;
  p.create(config_a(IceRole::Controlling), config_b(IceRole::Controlled));
  p.exchange_credentials();
  p.start_both();
  ASSERT_TRUE(p.run_until([&] { return p.both_ready(); }, Duration::seconds(5)));
  p.run_for(Duration::seconds(12));
  // B goes silent (crashed, or the path died).
  p.net.blackholed.push_back(addr("10.0.0.2:5000"));
  base::Timestamp silent_at = p.now;
  ASSERT_TRUE(p.run_until([&] { return p.a.agent->state() == IceState::Failed; }, Duration::seconds(40)));
  Duration took = p.now - silent_at;
  // The last answer came at most one consent interval before the silence; consent lasts 30 s after it.
  EXPECT_GE(took, Duration::seconds(25));
  EXPECT_LE(took, Duration::seconds(30));
  EXPECT_EQ(p.a.states().back(), IceState::Failed);
  EXPECT_EQ(p.a.states()[p.a.states().size() - 2], IceState::Ready);
  // Failed is final until a restart: no more consent checks.
  uint64_t consent = p.a.agent->stats().consent_checks_sent;
  p.run_for(Duration::seconds(30));
  EXPECT_EQ(p.a.agent->stats().consent_checks_sent, consent);
  EXPECT_EQ(p.a.agent->next_timeout(), base::Timestamp::infinite());
}

TEST(IceAgent, ServerReflexiveGatheringThroughStunServer) {
  sim::Pair p;
  p.stun_server = addr("198.51.100.1:3478");
  p.net.add_nat(addr("10.0.0.1:4000"), addr("203.0.113.1:40000"));
  auto ca = config_a(IceRole::Controlling);
  ca.stun_server = p.stun_server;
  p.create(std::move(ca), config_b(IceRole::Controlled));
  p.exchange_credentials();
  p.start_both();
  ASSERT_TRUE(p.run_until([&] { return p.a.count<GatheringDone>() == 1; }, Duration::seconds(5)));
  auto gathered = p.a.all<CandidateGathered>();
  ASSERT_EQ(gathered.size(), 2u);
  EXPECT_EQ(gathered[0].candidate.type, CandidateType::Host);
  const Candidate& srflx = gathered[1].candidate;
  EXPECT_EQ(srflx.type, CandidateType::ServerReflexive);
  EXPECT_EQ(srflx.address, addr("203.0.113.1:40000"));
  ASSERT_TRUE(srflx.related);
  EXPECT_EQ(*srflx.related, addr("10.0.0.1:4000"));
  EXPECT_EQ(srflx.priority, candidate_priority(CandidateType::ServerReflexive, 65535));
  // GatheringDone comes after the srflx candidate, and the agents still connect.
  auto done = std::find_if(p.a.events.begin(), p.a.events.end(),
                           [](const IceEvent& e) { return std::holds_alternative<GatheringDone>(e); });
  auto cand = std::find_if(p.a.events.begin(), p.a.events.end(), [](const IceEvent& e) {
    auto* c = std::get_if<CandidateGathered>(&e);
    return c && c->candidate.type == CandidateType::ServerReflexive;
  });
  EXPECT_LT(cand, done);
  ASSERT_TRUE(p.run_until([&] { return p.both_ready(); }, Duration::seconds(5)));
}

TEST(IceAgent, UnreachableStunServerStillEndsGathering) {
  sim::Pair p;
  auto ca = config_a(IceRole::Controlling);
  ca.stun_server = addr("198.51.100.1:3478");  // nobody answers
  p.create(std::move(ca), config_b(IceRole::Controlled));
  p.exchange_credentials();
  p.start_both();
  ASSERT_TRUE(p.run_until([&] { return p.a.count<GatheringDone>() == 1; }, Duration::seconds(10)));
  // 4 sends: 0, 0.5, 1.5, 3.5 s, given up at 7.5 s.
  EXPECT_EQ(p.now.ms(), 1000 + 7500);
  EXPECT_EQ(p.a.count<CandidateGathered>(), 1u);
  EXPECT_TRUE(p.both_ready());  // checks did not wait for gathering
}

TEST(IceAgent, MdnsCandidateResolvedByTheCaller) {
  sim::Pair p;
  p.create(config_a(IceRole::Controlled), config_b(IceRole::Controlling));
  p.a.trickle = p.b.trickle = false;
  p.exchange_credentials();
  p.start_both();
  IceOutput out;
  // B hides its address behind an mDNS name (as browsers do); A must ask the server to resolve it.
  auto b_host = p.b.all<CandidateGathered>()[0].candidate;
  Candidate named = b_host;
  named.hostname = "7b1c2d3e-0000-4000-8000-123456789abc.local";
  EXPECT_EQ(p.a.agent->add_remote_candidate(p.now, named, out), AddCandidateResult::Pending);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(std::get<ResolveHostname>(out.events[0]).name, named.hostname);
  out.clear();
  EXPECT_EQ(p.a.agent->add_remote_candidate(p.now, named, out), AddCandidateResult::Duplicate);
  EXPECT_EQ(p.a.agent->checklist().size(), 0u);
  p.b.agent->add_remote_candidate(p.now, p.a.all<CandidateGathered>()[0].candidate, out);
  p.drain(p.b, p.a, out);
  // B's checks reach A first: A answers them (peer-reflexive) even before the name resolves.
  p.run_for(Duration::millis(30));
  p.a.agent->add_resolved_address(p.now, named.hostname, addr("10.0.0.2:1"), out);
  p.drain(p.a, p.b, out);
  ASSERT_TRUE(p.run_until([&] { return p.both_ready(); }, Duration::seconds(5)));
  EXPECT_EQ(p.a.agent->selected_pair()->remote.address, addr("10.0.0.2:5000"));
  EXPECT_EQ(p.a.agent->remote_candidate_count(), 1u);
}

TEST(IceAgent, MdnsResolutionFailureIsReported) {
  IceAgent agent(config_a(IceRole::Controlled));
  IceOutput out;
  agent.set_remote_credentials("ufB1", kPwdB);
  agent.start(base::Timestamp::millis(0), out);
  out.clear();
  auto r = agent.add_remote_candidate(
      base::Timestamp::millis(0), "candidate:1 1 udp 2122260223 abc.local 5000 typ host generation 0", out);
  EXPECT_EQ(r, AddCandidateResult::Pending);
  out.clear();
  agent.hostname_unresolved(base::Timestamp::millis(10), "abc.local", "NXDOMAIN", out);
  ASSERT_EQ(out.events.size(), 1u);
  auto& rej = std::get<RemoteCandidateRejected>(out.events[0]);
  EXPECT_EQ(rej.candidate, "abc.local");
  EXPECT_EQ(rej.reason, "mDNS name did not resolve: NXDOMAIN");
  EXPECT_EQ(agent.remote_candidate_count(), 0u);
  // A non-mDNS name is refused outright: resolving peer-chosen DNS names would let a peer probe our resolver.
  out.clear();
  EXPECT_EQ(agent.add_remote_candidate(base::Timestamp::millis(20),
                                       "candidate:1 1 udp 2122260223 example.com 5000 typ host", out),
            AddCandidateResult::Rejected);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(std::get<RemoteCandidateRejected>(out.events[0]).reason, "only mDNS .local host names are resolved");
}

TEST(IceAgent, RejectsUnusableCandidatesWithAReason) {
  IceAgent agent(config_a(IceRole::Controlled));
  IceOutput out;
  agent.set_remote_credentials("ufB1", kPwdB);
  auto now = base::Timestamp::millis(0);
  EXPECT_EQ(agent.add_remote_candidate(now, "candidate:1 2 udp 2122260222 10.0.0.2 5001 typ host", out),
            AddCandidateResult::Rejected);
  EXPECT_EQ(agent.add_remote_candidate(now, "candidate:1 1 tcp 1518280447 10.0.0.2 9 typ host tcptype active", out),
            AddCandidateResult::Rejected);
  EXPECT_EQ(agent.add_remote_candidate(now, "candidate:1 1 udp 2122260223 10.0.0.2 5000 typ host ufrag old1", out),
            AddCandidateResult::Rejected);
  EXPECT_EQ(agent.add_remote_candidate(now, "candidate:1 1 udp 2122260223 0.0.0.0 5000 typ host", out),
            AddCandidateResult::Rejected);
  EXPECT_EQ(agent.add_remote_candidate(now, "candidate:1 1 udp 2122260223 10.0.0.2 0 typ host", out),
            AddCandidateResult::Rejected);
  EXPECT_EQ(agent.add_remote_candidate(now, "candidate:garbage", out), AddCandidateResult::Rejected);
  EXPECT_EQ(agent.add_remote_candidate(now, "candidate:1 1 udp 2122260223 10.0.0.2 5000 typ host ufrag ufB1", out),
            AddCandidateResult::Added);
  ASSERT_EQ(out.events.size(), 6u);
  EXPECT_EQ(std::get<RemoteCandidateRejected>(out.events[0]).reason, "component other than 1 (rtcp-mux is mandatory)");
  EXPECT_EQ(std::get<RemoteCandidateRejected>(out.events[1]).reason, "TCP candidates are not supported");
  EXPECT_EQ(std::get<RemoteCandidateRejected>(out.events[2]).reason, "ufrag of another ICE generation");
  EXPECT_EQ(std::get<RemoteCandidateRejected>(out.events[3]).reason, "unspecified address");
  EXPECT_EQ(std::get<RemoteCandidateRejected>(out.events[4]).reason, "port 0");
  EXPECT_EQ(std::get<RemoteCandidateRejected>(out.events[5]).reason, "missing mandatory field");
  EXPECT_EQ(agent.stats().candidates_rejected, 6u);
}

TEST(IceAgent, HostAddressFilter) {
  auto c = config_a(IceRole::Controlled);
  c.host_addresses = {addr("127.0.0.1:4000"), addr("0.0.0.0:4000"), addr("[fe80::1]:4000"), addr("[::1]:4000"),
                      addr("10.0.0.1:0"), addr("10.0.0.1:4000"), addr("10.0.0.1:4000"), addr("[2001:db8::1]:4000")};
  IceAgent agent(c);
  EXPECT_EQ(agent.local_candidate_count(), 2u);
  c.allow_loopback = true;
  IceAgent with_loopback(c);
  EXPECT_EQ(with_loopback.local_candidate_count(), 4u);
  IceOutput out;
  with_loopback.start(base::Timestamp::millis(0), out);
  auto gathered = 0;
  uint32_t last_priority = UINT32_MAX;
  for (auto& e : out.events) {
    if (auto* g = std::get_if<CandidateGathered>(&e)) {
      ++gathered;
      EXPECT_LT(g->candidate.priority, last_priority);  // the configured order is the preference
      last_priority = g->candidate.priority;
    }
  }
  EXPECT_EQ(gathered, 4);
}

TEST(IceAgent, RemoteCandidateAndPairTablesAreBounded) {
  auto c = make_config("ufA1", kPwdA, IceRole::Controlled, 1,
                       {addr("10.0.0.1:4000"), addr("10.0.0.3:4000"), addr("10.0.0.4:4000"), addr("10.0.0.5:4000")},
                       1);
  IceAgent agent(c);
  IceOutput out;
  auto now = base::Timestamp::millis(0);
  agent.set_remote_credentials("ufB1", kPwdB);
  agent.start(now, out);
  size_t rejected = 0;
  for (int i = 0; i < 80; ++i) {
    std::string cand = "candidate:" + std::to_string(i) + " 1 udp " + std::to_string(2122260223 - i) + " 10.1." +
                       std::to_string(i / 200) + "." + std::to_string(i % 200 + 1) + " 5000 typ host";
    rejected += agent.add_remote_candidate(now, cand, out) == AddCandidateResult::Rejected;
  }
  EXPECT_EQ(agent.remote_candidate_count(), 50u);
  EXPECT_EQ(rejected, 30u);
  EXPECT_EQ(agent.checklist().size(), 100u);

  // Checks from 300 unsignalled addresses with valid credentials: answered, but bounded.
  std::array<uint8_t, 256> buf{};
  auto key = StunIntegrityKey::short_term(kPwdA);
  for (int i = 0; i < 300; ++i) {
    StunBindingRequestParams params;
    params.username = "ufA1:ufB1";
    params.priority = 0x6e0000ff + static_cast<uint32_t>(i);
    params.controlling = true;
    params.tie_breaker = 7;
    StunTransactionId id{};
    id[0] = static_cast<uint8_t>(i);
    id[1] = static_cast<uint8_t>(i >> 8);
    auto msg = write_binding_request(buf, id, params, key);
    ASSERT_TRUE(msg);
    auto from = addr("192.0.2.1:1000");
    from.set_port(static_cast<uint16_t>(1000 + i));
    out.clear();
    EXPECT_EQ(agent.handle_stun(now, addr("10.0.0.1:4000"), from, *msg, out), std::nullopt);
    EXPECT_EQ(out.transmits.size(), 1u);  // always answered
    for (int k = 0; k < 5; ++k) {
      now += Duration::millis(10);
      agent.handle_timeout(now, out);
    }
  }
  EXPECT_EQ(agent.remote_candidate_count(), 50u);
  EXPECT_LE(agent.checklist().size(), 100u);
  EXPECT_LE(agent.transaction_count(), 3u * 100 + 8);
}

}  // namespace
}  // namespace medley::ice
