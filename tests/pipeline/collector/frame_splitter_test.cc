#include "pipeline/collector/frame_splitter.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

namespace decnet::pipeline {
namespace {

struct Frame {
  std::string bytes;
  bool truncated = false;
  bool operator==(const Frame&) const = default;
};

void PrintTo(const Frame& frame, std::ostream* os) {
  *os << (frame.truncated ? "truncated " : "") << testing::PrintToString(frame.bytes);
}

Frame whole(std::string bytes) { return {std::move(bytes), false}; }
Frame cut(std::string bytes) { return {std::move(bytes), true}; }

std::string octet(std::string_view msg) {
  return std::to_string(msg.size()) + " " + std::string(msg);
}

// Feeds `stream` in pieces of `chunk` bytes (0: at once), then finishes.
struct SplitRun {
  std::vector<Frame> frames;
  std::size_t dropped = 0;
  std::size_t maxBuffered = 0;
};

SplitRun split(std::string_view stream, std::size_t maxFrame, std::size_t chunk = 0) {
  FrameSplitter splitter(maxFrame);
  SplitRun run;
  const auto collect = [&](std::string_view frame, bool truncated) {
    run.frames.push_back({std::string(frame), truncated});
  };
  if (chunk == 0) chunk = std::max<std::size_t>(stream.size(), 1);
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    splitter.feed(stream.substr(at, chunk), collect);
    run.maxBuffered = std::max(run.maxBuffered, splitter.buffered());
  }
  run.dropped = splitter.finish(collect);
  EXPECT_EQ(splitter.buffered(), 0u);
  return run;
}

const std::string kLine1 = "<134>1 2026-04-18T08:27:21.862365+00:00 d1 ssh - connect -";
const std::string kLine2 = "<134>1 - d1 http - request [relay@55555 path=\"/\"] two\nlines";

std::string sampleStream() {
  return octet(kLine1) + kLine1 + "\n" + octet(kLine2) + kLine1 + "\r\n\n\r\n" + octet("x") +
         "12a not a length\n" + octet(kLine1) + "0 leading zero\n" + octet(kLine2);
}

std::vector<Frame> sampleFrames() {
  return {whole(kLine1), whole(kLine1),
          whole(kLine2), whole(kLine1),
          whole("x"),    whole("12a not a length"),
          whole(kLine1), whole("0 leading zero"),
          whole(kLine2)};
}

TEST(FrameSplitterTest, OctetCountedAndLineFramesMix) {
  const SplitRun run = split(sampleStream(), 1024);
  EXPECT_EQ(run.frames, sampleFrames());
  EXPECT_EQ(run.dropped, 0u);
}

TEST(FrameSplitterTest, EveryChunkingYieldsTheSameFrames) {
  const std::string stream = sampleStream();
  for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    EXPECT_EQ(split(stream, 1024, chunk).frames, sampleFrames()) << "chunk " << chunk;
  }
}

TEST(FrameSplitterTest, RandomChunkingsYieldTheSameFrames) {
  const std::string stream = sampleStream() + std::string(100, 'y') + "\n" +
                             octet(std::string(50, 'z')) + "120 " + std::string(120, 'w') + "\n";
  const std::vector<Frame> expected = split(stream, 40).frames;
  ASSERT_EQ(expected.size(), sampleFrames().size() + 3);
  std::mt19937 random(5424);
  for (int round = 0; round < 300; ++round) {
    FrameSplitter splitter(40);
    std::vector<Frame> frames;
    const auto collect = [&](std::string_view f, bool t) { frames.push_back({std::string(f), t}); };
    for (std::size_t at = 0; at < stream.size();) {
      const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 9)(random);
      splitter.feed(std::string_view(stream).substr(at, n), collect);
      at += n;
    }
    EXPECT_EQ(splitter.finish(collect), 0u);
    ASSERT_EQ(frames, expected) << "round " << round;
  }
}

TEST(FrameSplitterTest, OversizedOctetFrameIsCutAndTheStreamRecovers) {
  const std::string big = "0123456789ABCDEFGHIJ";  // 20 bytes, maxFrame 8, limit 32
  const SplitRun run = split(octet(big) + octet("next") + "<1>line\n", 8);
  EXPECT_EQ(run.frames, (std::vector<Frame>{cut("01234567"), whole("next"), whole("<1>line")}));
  EXPECT_EQ(run.dropped, 0u);
  // The longest length still read as a frame: 4 * maxFrame.
  const SplitRun limit = split("32 " + std::string(32, 'q') + octet("ok"), 8);
  EXPECT_EQ(limit.frames, (std::vector<Frame>{cut("qqqqqqqq"), whole("ok")}));
}

TEST(FrameSplitterTest, OversizedLineIsCutAndTheStreamRecovers) {
  const SplitRun run = split("<0123456789\nnext\r\n<abcdefgh>\r\n" + octet("oc"), 8);
  EXPECT_EQ(run.frames,
            (std::vector<Frame>{cut("<0123456"), whole("next"), cut("<abcdefg"), whole("oc")}));
}

TEST(FrameSplitterTest, LineOfExactlyMaxFrameIsWholeEvenWithCrLf) {
  EXPECT_EQ(split("<2345678\r\n<2345678\n<23456789\n", 8).frames,
            (std::vector<Frame>{whole("<2345678"), whole("<2345678"), cut("<2345678")}));
  EXPECT_EQ(split("<2345678\r\r\n", 8).frames, (std::vector<Frame>{cut("<2345678")}));
  EXPECT_EQ(split("<2345678\r", 8).frames, (std::vector<Frame>{whole("<2345678")}));
}

TEST(FrameSplitterTest, OctetFrameKeepsItsBytesVerbatim) {
  EXPECT_EQ(split(octet("a\nb\r\n") + octet("\n"), 64).frames,
            (std::vector<Frame>{whole("a\nb\r\n"), whole("\n")}));
}

TEST(FrameSplitterTest, CorruptLengthFallsBackToLineMode) {
  EXPECT_EQ(split("12a hello\n5 world", 64).frames,
            (std::vector<Frame>{whole("12a hello"), whole("world")}));
  EXPECT_EQ(split("123\n", 64).frames, (std::vector<Frame>{whole("123")}));
  EXPECT_EQ(split("2026-04-18 log text\n", 64).frames,
            (std::vector<Frame>{whole("2026-04-18 log text")}));
  // Over 4 * maxFrame (256): the digits are text, read as soon as the limit is passed.
  EXPECT_EQ(split("257 abc\n", 64).frames, (std::vector<Frame>{whole("257 abc")}));
  EXPECT_EQ(split("99999999999999999999 x\n", 64).frames,
            (std::vector<Frame>{whole("99999999999999999999 x")}));
  // The digits count toward the line's own limit.
  EXPECT_EQ(split("9999999 tail\nok\n", 4).frames, (std::vector<Frame>{cut("9999"), whole("ok")}));
}

TEST(FrameSplitterTest, MoreThanTenDigitsIsCorruptEvenUnderTheLimit) {
  const std::size_t huge = 3'000'000'000;  // 4 * huge exceeds every 10-digit length
  EXPECT_EQ(split("12345678901 x\n", huge).frames, (std::vector<Frame>{whole("12345678901 x")}));
  FrameSplitter splitter(huge);
  std::vector<Frame> frames;
  const auto collect = [&](std::string_view f, bool t) { frames.push_back({std::string(f), t}); };
  splitter.feed("1234567890 abc", collect);  // ten digits: a real (if enormous) frame
  EXPECT_TRUE(frames.empty());
  EXPECT_EQ(splitter.buffered(), 3u);
  EXPECT_EQ(splitter.finish(collect), 14u);
  EXPECT_TRUE(frames.empty());
}

TEST(FrameSplitterTest, BlankLinesAreSkipped) {
  EXPECT_EQ(split("\n\r\n\n<1>a\n\n", 64).frames, (std::vector<Frame>{whole("<1>a")}));
}

TEST(FrameSplitterTest, BufferStaysBoundedOnTenMegabytesWithoutNewlines) {
  constexpr std::size_t kMaxFrame = 64 * 1024;
  std::mt19937 random(6587);
  std::string garbage(10 * 1024 * 1024, '\0');
  for (char& c : garbage) {
    c = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(random));
    if (c == '\n') c = 'n';
  }
  for (const std::string& stream :
       {garbage, std::string(10 * 1024 * 1024, 'A'), std::string(10 * 1024 * 1024, '7')}) {
    const SplitRun run = split(stream, kMaxFrame, 4096);
    EXPECT_LE(run.maxBuffered, kMaxFrame + 16);
    // Whatever the first byte says, the stream is one endless frame: cut once, then skipped.
    ASSERT_EQ(run.frames.size(), 1u);
    EXPECT_TRUE(run.frames[0].truncated);
    EXPECT_EQ(run.frames[0].bytes, stream.substr(0, kMaxFrame));
  }
}

TEST(FrameSplitterTest, BufferStaysBoundedOnAnnouncedGiantFrames) {
  // Lengths just under 4 * maxFrame, never completed: memory is maxFrame, not the length.
  const std::string stream = "4096 " + std::string(4000, 'b');
  const SplitRun run = split(stream, 1024, 100);
  EXPECT_LE(run.maxBuffered, 1024u + 16);
  EXPECT_EQ(run.frames, (std::vector<Frame>{cut(std::string(1024, 'b'))}));
  EXPECT_EQ(run.dropped, 0u);  // delivered (cut) already; the missing tail was never held
}

TEST(FrameSplitterTest, FinishDeliversAnUnterminatedLine) {
  SplitRun run = split("<1>a\n<1>tail\r", 64);
  EXPECT_EQ(run.frames, (std::vector<Frame>{whole("<1>a"), whole("<1>tail")}));
  EXPECT_EQ(run.dropped, 0u);
  // Digits without "SP" never became an octet-counted frame: they are a line.
  run = split("42", 64);
  EXPECT_EQ(run.frames, (std::vector<Frame>{whole("42")}));
  EXPECT_EQ(run.dropped, 0u);
  run = split("\r", 64);
  EXPECT_TRUE(run.frames.empty());
  EXPECT_EQ(split("", 64).frames.size(), 0u);
}

TEST(FrameSplitterTest, FinishCountsAnIncompleteOctetFrame) {
  SplitRun run = split(octet("done") + "10 abc", 64);
  EXPECT_EQ(run.frames, (std::vector<Frame>{whole("done")}));
  EXPECT_EQ(run.dropped, 6u);  // "10 abc"
  run = split("10 ", 64);
  EXPECT_EQ(run.dropped, 3u);
  EXPECT_TRUE(run.frames.empty());
}

TEST(FrameSplitterTest, FinishResetsForTheNextStream) {
  FrameSplitter splitter(64);
  std::vector<Frame> frames;
  const auto collect = [&](std::string_view f, bool t) { frames.push_back({std::string(f), t}); };
  splitter.feed("10 abc", collect);
  EXPECT_EQ(splitter.buffered(), 3u);
  EXPECT_EQ(splitter.finish(collect), 6u);
  EXPECT_EQ(splitter.buffered(), 0u);
  splitter.feed("<1>x\n3 abc", collect);
  EXPECT_EQ(splitter.finish(collect), 0u);
  EXPECT_EQ(frames, (std::vector<Frame>{whole("<1>x"), whole("abc")}));
}

TEST(FrameSplitterTest, ZeroMaxFrameActsAsOne) {
  EXPECT_EQ(split("<ab\n1 x", 0).frames, (std::vector<Frame>{cut("<"), whole("x")}));
}

}  // namespace
}  // namespace decnet::pipeline
