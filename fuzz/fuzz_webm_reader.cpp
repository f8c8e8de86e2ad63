// Fuzzes WebmReader over arbitrary bytes: open, read every frame, seek (to a time taken from the input), read
// on, and ask for the duration; nothing may crash, hang or allocate beyond the limits.
#include <cstddef>
#include <cstdint>

#include "mux/webm_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace medley;
  mux::MemorySource source(base::Bytes(data, size));
  mux::WebmReaderLimits limits;
  limits.max_frame_bytes = 1 << 20;
  limits.max_element_bytes = 1 << 20;
  auto reader = mux::WebmReader::open(source, limits);
  if (!reader) return 0;
  for (const auto& t : reader->tracks()) (void)t.codec;
  mux::WebmFrame frame;
  size_t total = 0;
  for (int n = 0; n < 100000 && reader->next(frame) == mux::WebmReadStatus::Frame; ++n) total += frame.data.size();
  int64_t to_ms = size > 0 ? data[size - 1] * 40 : 0;
  if (reader->seek(base::Duration::millis(to_ms))) {
    for (int n = 0; n < 1000 && reader->next(frame) == mux::WebmReadStatus::Frame; ++n) total += frame.data.size();
  }
  (void)reader->duration();
  (void)reader->seekable();
  (void)total;
  return 0;
}
