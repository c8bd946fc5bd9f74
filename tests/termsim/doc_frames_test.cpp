// docs/protocol.md's worked example frames are exactly what the code sends
// and answers, so the document cannot drift from the implementation.

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/termsim/doc_frames.hpp"

namespace cardd::termsim::test {
namespace {

// "name: HEX ..." lines of the ```frames blocks.
std::map<std::string, std::string> frames_in_document(const std::string& path) {
    std::ifstream in(path);
    std::map<std::string, std::string> frames;
    bool inside = false;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("```", 0) == 0) {
            inside = line == "```frames";
            continue;
        }
        if (!inside) continue;
        const auto colon = line.find(": ");
        if (colon == std::string::npos) continue;
        frames[line.substr(0, colon)] = line.substr(colon + 2);
    }
    return frames;
}

// Every example frame in the document equals the frame the code builds, and none is missing.
TEST(DocFrames, documentMatchesTheCode) {
    const auto documented = frames_in_document(CARDD_SOURCE_DIR "/docs/protocol.md");
    ASSERT_FALSE(documented.empty()) << "no ```frames blocks in docs/protocol.md";
    std::size_t checked = 0;
    for (const DocFrame& frame : doc_frames()) {
        const auto it = documented.find(frame.name);
        if (it == documented.end()) {
            ADD_FAILURE() << frame.name << " is missing from docs/protocol.md; it is\n"
                          << frame.name << ": " << hex(frame.bytes);
            continue;
        }
        EXPECT_EQ(it->second, hex(frame.bytes)) << frame.name;
        ++checked;
    }
    EXPECT_EQ(checked, documented.size()) << "the document shows frames the code does not build";
}

}  // namespace
}  // namespace cardd::termsim::test
