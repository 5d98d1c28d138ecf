#pragma once
// RFC 6587 deframing of a syslog TCP stream with memory bounded whatever the sender does.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace decnet::pipeline {

// Splits a TCP byte stream into syslog frames as RFC 6587 allows: octet counting ("LEN SP MSG")
// when a frame starts with a digit 1-9, else LF-delimited (non-transparent framing, trailing \r
// stripped). Frames over `maxFrame` are cut: the first maxFrame bytes are delivered with
// truncated=true and the rest skipped to the frame's end. A corrupt length ("12a ", a length
// over maxFrame*4 with no digits end, more than 10 digits) switches that frame to LF mode.
class FrameSplitter {
 public:
  // `maxFrame` below 1 is taken as 1.
  explicit FrameSplitter(std::size_t maxFrame = 64 * 1024);

  using FrameHandler = std::function<void(std::string_view frame, bool truncated)>;

  // Consumes `bytes` (any chunking) and calls `onFrame` for each complete frame, in order.
  void feed(std::string_view bytes, const FrameHandler& onFrame);

  // At end of stream: delivers a final unterminated LF frame, if any. Returns the bytes of an
  // incomplete octet-counted frame that had to be dropped (0 normally). Leaves the splitter
  // ready for a new stream.
  std::size_t finish(const FrameHandler& onFrame);

  // Bytes held for a frame still incomplete; never above maxFrame + 16.
  std::size_t buffered() const;

 private:
  enum class State {
    kStart,     // before a frame's first byte
    kLength,    // reading MSG-LEN digits
    kBody,      // collecting an octet-counted MSG
    kSkipBody,  // dropping the tail of an oversized octet-counted MSG
    kLine,      // collecting an LF-delimited frame
    kSkipLine,  // dropping the tail of an oversized LF-delimited frame
  };

  void lengthByte(char c, std::string_view& rest, const FrameHandler& onFrame);
  void corruptLength(const FrameHandler& onFrame);
  void appendLine(std::string_view bytes, const FrameHandler& onFrame);
  void endLine(const FrameHandler& onFrame);

  const std::size_t maxFrame_;
  State state_ = State::kStart;
  std::string buffer_;          // digits, MSG or line being collected
  std::uint64_t length_ = 0;    // MSG-LEN read so far / announced
  std::size_t bodyWanted_ = 0;  // bytes of MSG to deliver (min(length_, maxFrame_))
  std::uint64_t skipLeft_ = 0;  // bytes of an oversized MSG still to drop
};

}  // namespace decnet::pipeline
