// SessionRegistry: binding sessions to connections, grace periods, the bounded event buffer.
#include "server/kurento/session_registry.hpp"

#include <gtest/gtest.h>

#include "kurento_fake_peer.hpp"

namespace medley::server::kurento {
namespace {

using std::chrono::seconds;
using testing::FakePeer;

TEST(KurentoSessionRegistry, BindCloseExpire) {
  SessionRegistry reg(2);
  auto p1 = std::make_shared<FakePeer>(1);
  SteadyTime t0{seconds(100)};
  reg.open(p1);
  EXPECT_TRUE(reg.bind("s", p1, t0).empty());
  EXPECT_EQ(reg.session_of(1), "s");
  reg.deliver("s", "e1");
  EXPECT_EQ(p1->take(), std::vector<std::string>{"e1"});

  reg.close(1, t0);
  EXPECT_FALSE(reg.session_of(1));
  reg.deliver("s", "e2");
  reg.deliver("s", "e3");
  reg.deliver("s", "e4");  // over the bound of 2: e2 dropped
  EXPECT_EQ(reg.find("s")->dropped_events, 1u);
  EXPECT_EQ(reg.next_expiry(seconds(30)), t0 + seconds(30));
  EXPECT_TRUE(reg.take_expired(t0 + seconds(29), seconds(30)).empty());

  auto p2 = std::make_shared<FakePeer>(2);
  reg.open(p2);
  EXPECT_EQ(reg.bind("s", p2, t0 + seconds(29)), (std::vector<std::string>{"e3", "e4"}));
  EXPECT_FALSE(reg.next_expiry(seconds(30)));

  reg.close(2, t0 + seconds(40));
  EXPECT_EQ(reg.take_expired(t0 + seconds(70), seconds(30)), std::vector<std::string>{"s"});
  EXPECT_EQ(reg.find("s"), nullptr);
}

TEST(KurentoSessionRegistry, RebindingMovesSessionsBetweenConnections) {
  SessionRegistry reg(4);
  auto p1 = std::make_shared<FakePeer>(1);
  auto p2 = std::make_shared<FakePeer>(2);
  SteadyTime t0{seconds(5)};
  reg.open(p1);
  reg.open(p2);
  reg.bind("a", p1, t0);
  reg.bind("a", p2, t0);  // the session now speaks through p2
  EXPECT_FALSE(reg.session_of(1));
  EXPECT_EQ(reg.session_of(2), "a");
  reg.close(1, t0);  // closing the old connection does not detach the session
  EXPECT_EQ(reg.find("a")->peer, p2);
  reg.bind("b", p2, t0);  // p2 switches to b: a starts its grace period
  EXPECT_EQ(reg.find("a")->peer, nullptr);
  EXPECT_EQ(reg.next_expiry(seconds(1)), t0 + seconds(1));
}

}  // namespace
}  // namespace medley::server::kurento
