// File URIs as RecorderEndpoint and PlayerEndpoint take them.
#include "server/elements/uri.hpp"

#include <gtest/gtest.h>

namespace medley::server::elements {
namespace {

TEST(FileUri, AbsolutePathsWithAndWithoutLocalhost) {
  EXPECT_EQ(file_path_of("file:///tmp/a.webm"), "/tmp/a.webm");
  EXPECT_EQ(file_path_of("file://localhost/tmp/a.webm"), "/tmp/a.webm");
}

TEST(FileUri, PercentEscapesAreDecoded) {
  EXPECT_EQ(file_path_of("file:///tmp/my%20video.webm"), "/tmp/my video.webm");
  EXPECT_EQ(file_path_of("file:///tmp/100%"), "/tmp/100%");     // a lone % stays as it is
  EXPECT_EQ(file_path_of("file:///tmp/%zz"), "/tmp/%zz");
}

TEST(FileUri, OtherSchemesAndBadPathsAreRefused) {
  EXPECT_FALSE(file_path_of("http://example.com/a.webm"));
  EXPECT_FALSE(file_path_of("rtsp://camera/stream"));
  EXPECT_FALSE(file_path_of("file://host/tmp/a.webm"));  // a remote host: not ours to open
  EXPECT_FALSE(file_path_of("file:relative.webm"));
  EXPECT_FALSE(file_path_of("file:///tmp/a%00b.webm"));  // an embedded NUL would cut the path
  EXPECT_FALSE(file_path_of(""));
}

}  // namespace
}  // namespace medley::server::elements
