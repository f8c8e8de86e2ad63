// Fuzz target: Mp4Reader over arbitrary bytes: open (box scan, moov, moofs), read every frame, seek, read again.
#include <cstddef>
#include <cstdint>

#include "mux/mp4_reader.hpp"

using namespace medley;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mux::MemorySource source({data, size});
  mux::Mp4ReaderLimits limits;
  limits.max_samples = 20000;  // the defaults allow 8M samples; a fuzzer iteration should stay fast
  limits.max_box_bytes = 1u << 20;
  limits.max_sample_bytes = 1u << 20;
  auto reader = mux::Mp4Reader::open(source, limits);
  if (!reader.ok()) return 0;
  for (const auto& t : reader->tracks()) {
    if (t.timescale == 0) __builtin_trap();  // the reader keeps only tracks it can time
  }
  (void)reader->duration();
  (void)reader->is_seekable();
  mux::Mp4Frame frame;
  while (reader->read(frame) == mux::Mp4ReadStatus::Frame) {
    if (frame.track >= reader->tracks().size() || frame.frame.data.empty()) __builtin_trap();
  }
  reader->seek(reader->duration() / 2);
  for (int i = 0; i < 8 && reader->read(frame) == mux::Mp4ReadStatus::Frame; ++i) {
  }
  reader->seek(base::Duration::zero());
  while (reader->read(frame) == mux::Mp4ReadStatus::Frame) {
  }
  return 0;
}
